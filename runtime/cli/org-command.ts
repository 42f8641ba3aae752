import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadBackend } from '../../crypto/backend.ts';
import { fromBase64Url, toBase64Url } from '../../crypto/bytes.ts';
import { DirectoryIdentity, keyFingerprint, signDirectory, verifyDirectory } from '../../crypto/directory.ts';
import { KeyError } from '../../crypto/errors.ts';
import { DEFAULT_KDF } from '../../crypto/kdf.ts';
import { isLinkCryptoError } from '../../crypto/link-error.ts';
import { createOrgKey, readOrgKeyFile, unlockOrgKey } from '../../crypto/org-key.ts';
import { writeFileDurably } from '../hub/files.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { promptSecret } from './prompt.ts';
import { DEV_PASSPHRASE, resolveStoreAccess } from './store-access.ts';

/** File names in the organisation directory (`--dir`). */
export const ORG_KEY_FILE = 'org.key';
export const ORG_PUB_FILE = 'org.pub';
export const DIRECTORY_SOURCE = 'directory.json';
export const DIRECTORY_FILE = 'directory.fkd';

const key32 = z.string().transform((s, ctx) => {
  const b = fromBase64Url(s);
  if (b?.byteLength !== 32) {
    ctx.addIssue({ code: 'custom', message: 'expected a 32-byte base64url key' });
    return z.NEVER;
  }
  return b;
});

/** The directory as an administrator writes it (JSON, keys in base64url). */
const DirectorySource = z.object({
  serial: z.number().int().nonnegative().optional(),
  identities: z.array(
    z.object({
      id: z.string(),
      role: z.enum(['kit', 'specialist', 'team']),
      name: z.string(),
      devices: z.array(z.object({ key: key32, box: key32, label: z.string().optional() })).default([]),
      members: z.array(z.string()).optional(),
    }),
  ),
});

async function orgPassphrase(args: CliArgs, io: CliIo, confirm: boolean): Promise<string> {
  const fromEnv = io.env.FIELDKIT_ORG_PASSPHRASE;
  if (fromEnv) return fromEnv;
  if (args.values.dev === true) {
    io.stderr('!!! DEVELOPMENT PASSPHRASE for the organisation key (--dev): demos only !!!\n');
    return DEV_PASSPHRASE;
  }
  if (io.stdin.isTTY !== true)
    throw new CliError(
      'no passphrase: set FIELDKIT_ORG_PASSPHRASE, run in a terminal, or pass --dev for a demo key',
      EXIT_USAGE,
    );
  const first = await promptSecret(io, 'Organisation key passphrase: ');
  if (!first) throw new CliError('empty passphrase', EXIT_USAGE);
  if (confirm && (await promptSecret(io, 'Repeat the passphrase: ')) !== first)
    throw new CliError('the two passphrases differ; nothing was created', 1);
  return first;
}

function orgDir(args: CliArgs, io: CliIo): string {
  return resolve(stringFlag(args, 'dir') ?? io.env.FIELDKIT_ORG_DIR ?? 'fieldkit-org');
}

/** The implementation of `fieldkit org` (metadata and purpose: commands.ts). */
export async function runOrg(args: CliArgs, io: CliIo): Promise<number> {
  const [action, file] = args.positionals;
  switch (action) {
    case 'init':
      return init(args, io);
    case 'sign':
      if (!file) throw new CliError('org sign needs the directory source (JSON)', EXIT_USAGE);
      return sign(args, io, file);
    case 'show':
      if (!file) throw new CliError('org show needs a signed directory file', EXIT_USAGE);
      return show(args, io, file);
    case 'device':
      return device(args, io);
    default:
      throw new CliError(`unknown org action '${action ?? ''}' (have: init, sign, show, device)`, EXIT_USAGE);
  }
}

async function init(args: CliArgs, io: CliIo): Promise<number> {
  const dir = orgDir(args, io);
  const keyPath = join(dir, ORG_KEY_FILE);
  if (existsSync(keyPath))
    throw new CliError(`${keyPath} already exists; an organisation key is made once`, 1);
  const passphrase = await orgPassphrase(args, io, true);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { file, signer } = await createOrgKey(await loadBackend('auto'), passphrase, DEFAULT_KDF);
  const pub = toBase64Url(signer.publicKey);
  signer.forget();
  writeFileDurably(keyPath, file, 0o600);
  writeFileDurably(join(dir, ORG_PUB_FILE), `${pub}\n`, 0o644);
  if (!existsSync(join(dir, DIRECTORY_SOURCE)))
    writeFileDurably(
      join(dir, DIRECTORY_SOURCE),
      `${JSON.stringify({ serial: 1, identities: [] }, null, 2)}\n`,
      0o644,
    );
  io.stdout(
    `Organisation key created in ${dir}\n` +
      `Public key: ${pub}\nFingerprint: ${await keyFingerprint(signer.publicKey)}\n` +
      `Keep ${ORG_KEY_FILE} on this offline machine. Give ${ORG_PUB_FILE} to every kit and console (--org-key).\n` +
      `List identities in ${DIRECTORY_SOURCE}, then: fieldkit org sign ${join(dir, DIRECTORY_SOURCE)}\n`,
  );
  return 0;
}

async function sign(args: CliArgs, io: CliIo, sourcePath: string): Promise<number> {
  const dir = orgDir(args, io);
  let source: z.infer<typeof DirectorySource>;
  try {
    source = DirectorySource.parse(JSON.parse(readFileSync(sourcePath, 'utf8')));
  } catch (error) {
    const detail =
      error instanceof z.ZodError
        ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
        : String(error);
    throw new CliError(`${sourcePath} is not a directory source: ${detail}`, 1);
  }
  const identities = source.identities.map((i) => DirectoryIdentity.parse(i));
  const out = resolve(stringFlag(args, 'out') ?? join(dir, DIRECTORY_FILE));
  const keyBytes = readFileSync(join(dir, ORG_KEY_FILE));
  let previous = 0;
  if (existsSync(out)) {
    const was = await verifyDirectory(readFileSync(out), readOrgKeyFile(keyBytes).publicKey).catch(
      () => undefined,
    );
    previous = was?.serial ?? 0;
  }
  const serial = Math.max(source.serial ?? 0, previous + 1);
  const passphrase = await orgPassphrase(args, io, false);
  let signer;
  try {
    signer = await unlockOrgKey(await loadBackend('auto'), keyBytes, passphrase);
  } catch (error) {
    if (error instanceof KeyError) throw new CliError(error.message, 1);
    throw error;
  }
  try {
    const signed = await signDirectory({ serial, issuedAt: Date.now(), identities }, signer);
    writeFileDurably(out, signed, 0o644);
  } catch (error) {
    if (isLinkCryptoError(error)) throw new CliError(error.message, 1);
    throw error;
  } finally {
    signer.forget();
  }
  io.stdout(`Signed directory serial ${serial} with ${identities.length} identities: ${out}\n`);
  return 0;
}

async function show(args: CliArgs, io: CliIo, file: string): Promise<number> {
  const pubText = stringFlag(args, 'org-key') ?? readFileSync(join(orgDir(args, io), ORG_PUB_FILE), 'utf8');
  const orgKey = readOrgPublicKey(pubText);
  try {
    const dir = await verifyDirectory(readFileSync(file), orgKey);
    io.stdout(`Directory serial ${dir.serial}, signed by organisation key ${await keyFingerprint(orgKey)}\n`);
    for (const i of dir.fields.identities) {
      io.stdout(`  ${i.id} (${i.role}) ${i.name}${i.members ? ` members: ${i.members.join(', ')}` : ''}\n`);
      for (const d of i.devices)
        io.stdout(`    device ${await keyFingerprint(d.key)}${d.label ? ` ${d.label}` : ''}\n`);
    }
    return 0;
  } catch (error) {
    if (isLinkCryptoError(error)) throw new CliError(error.message, 1);
    throw error;
  }
}

async function device(args: CliArgs, io: CliIo): Promise<number> {
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-org', false);
  try {
    const id = store.publicIdentity;
    io.stdout(`${JSON.stringify({ key: toBase64Url(id.signing), box: toBase64Url(id.sealing) })}\n`);
    return 0;
  } finally {
    await store.close();
  }
}

/** Reads an organisation public key given as base64url text or as a file holding it. */
export function readOrgPublicKey(textOrFile: string): Uint8Array {
  const text = existsSync(textOrFile) ? readFileSync(textOrFile, 'utf8') : textOrFile;
  const key = fromBase64Url(text.trim());
  if (key?.byteLength !== 32)
    throw new CliError('the organisation key must be 32 bytes of base64url (org.pub)', EXIT_USAGE);
  return key;
}
