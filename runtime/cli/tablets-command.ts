import { hostname, networkInterfaces } from 'node:os';
import QRCode from 'qrcode';
import { isStoreError, type RecordStore, type TabletRecord } from '../../store/index.ts';
import { TabletRole } from '../../store/schema/tablet.ts';
import { authority, primaryAddress } from '../http/onboarding/addresses.ts';
import { kitNames } from '../http/tls/kit-names.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';

const ACTIONS = ['list', 'revoke', 'pair-code'] as const;

/** What `list` shows as the state: a pending code past its time is `expired`. */
function stateOf(t: TabletRecord, now: number): string {
  if (t.status === 'pending' && t.codeExpiresAt !== undefined && Date.parse(t.codeExpiresAt) <= now)
    return 'expired';
  return t.status;
}

function table(rows: readonly TabletRecord[]): string {
  const now = Date.now();
  const lines = [['ID', 'ROLE', 'STATE', 'NAME', 'PAIRED', 'REVOKED']];
  for (const t of rows)
    lines.push([
      t.id,
      t.role,
      stateOf(t, now),
      t.name,
      t.pairedAt?.slice(0, 16).replace('T', ' ') ?? '-',
      t.revokedAt?.slice(0, 16).replace('T', ' ') ?? '-',
    ]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => [...l[i]!].length)));
  return lines
    .map((l) =>
      l
        .map((c, i) => c + ' '.repeat(widths[i]! - [...c].length))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

interface PairCodeFlags {
  readonly role: TabletRole;
  readonly port: number;
  readonly label: string | undefined;
}

/** pair-code's flags, checked before the store is opened (a typo costs no passphrase prompt). */
function pairCodeFlags(args: CliArgs, io: CliIo): PairCodeFlags {
  const role = TabletRole.safeParse(stringFlag(args, 'role') ?? 'feldsher');
  if (!role.success) throw new CliError(`--role must be one of ${TabletRole.options.join(', ')}`, EXIT_USAGE);
  const port = Number(stringFlag(args, 'https-port') ?? io.env.FIELDKIT_HTTPS_PORT ?? 8443);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new CliError('--https-port expects a port number', EXIT_USAGE);
  return { role: role.data, port, label: stringFlag(args, 'label') };
}

/** Creates a one-time code and prints it with the pairing URL and its QR code for the terminal. */
async function pairCode(store: RecordStore, flags: PairCodeFlags, io: CliIo): Promise<number> {
  const { role, port, label } = flags;
  const created = await store.createPairingCode({
    role,
    ...(label === undefined ? {} : { label }),
    createdBy: 'cli',
  });
  const host = primaryAddress(kitNames(hostname(), networkInterfaces())) ?? 'localhost';
  const url = `https://${authority(host, port)}/pair#code=${created.code}`;
  const until = new Date(created.expiresAt).toLocaleTimeString('ru-RU', {
    hour: '2-digit',
    minute: '2-digit',
  });
  io.stdout(
    `Pairing code for a ${role} tablet, valid until ${until} (once): ${created.code.slice(0, 4)} ${created.code.slice(4)}\n` +
      `On the tablet (kit certificate installed), scan the code below or open:\n  ${url}\n` +
      (await QRCode.toString(url, { type: 'terminal', small: true })),
  );
  return 0;
}

/** The implementation of `fieldkit tablets` (metadata and purpose: commands.ts). */
export async function runTablets(args: CliArgs, io: CliIo): Promise<number> {
  const action = args.positionals[0] as (typeof ACTIONS)[number];
  if (!ACTIONS.includes(action))
    throw new CliError(
      `unknown tablets action '${args.positionals[0] ?? ''}' (have: ${ACTIONS.join(', ')})`,
      EXIT_USAGE,
    );
  const id = args.positionals[1];
  if ((action === 'revoke') !== (id !== undefined))
    throw new CliError(
      action === 'revoke' ? 'revoke needs a tablet id (see `tablets list`)' : `${action} takes no argument`,
      EXIT_USAGE,
    );
  const flags = action === 'pair-code' ? pairCodeFlags(args, io) : undefined;
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-tablets', false);
  try {
    if (flags) return await pairCode(store, flags, io);
    if (action === 'list') {
      const all = await store.listTablets();
      io.stdout(
        args.values.json === true
          ? `${JSON.stringify(all)}\n`
          : `${all.length === 0 ? 'no tablets' : table(all)}\n`,
      );
      return 0;
    }
    try {
      const t = await store.revokeTablet(id!);
      io.stdout(`revoked ${t.id} (${t.role}, ${t.name}): its token is refused from its next request on\n`);
      return 0;
    } catch (err) {
      if (isStoreError(err, 'not_found')) throw new CliError(`no tablet ${id!} (see \`tablets list\`)`, 1);
      throw err;
    }
  } finally {
    await store.close();
  }
}
