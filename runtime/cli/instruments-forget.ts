import { describeKitHolder, kitLockHolder } from '../../store/index.ts';
import { CliError, EXIT_USAGE, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';

/**
 * `fieldkit instruments forget <address|id>`: removes a remembered instrument from the store, so
 * the kit stops connecting to it and its bookkeeping (last sequence number...) is gone. Refused
 * while the kit runs on the data directory: the running kit forgets through its own manager (the
 * tablet), which also drops the link and the bond. Exit 1 when no such instrument is remembered.
 */
export async function forgetInstrument(args: CliArgs, io: CliIo): Promise<number> {
  const target = args.positionals[1];
  if (target === undefined) throw new CliError('forget needs an instrument address or id', EXIT_USAGE);
  const access = await resolveStoreAccess(args, io);
  const holder = kitLockHolder(access.path);
  if (holder)
    throw new CliError(
      `${describeKitHolder(access.path, holder)} Or forget the instrument from the tablet, which also drops its link.`,
      1,
    );
  const store = await openStoreForCli(access, 'cli-instruments', false);
  try {
    const found = (await store.listInstruments()).filter((r) => r.id === target || r.address === target);
    if (found.length === 0) {
      io.stderr(`no remembered instrument '${target}'\n`);
      return 1;
    }
    for (const r of found) {
      await store.forgetInstrument(r.id);
      io.stdout(`forgot ${r.address} (${r.profile}, ${r.name})\n`);
      if (r.bonded && r.transport === 'node-ble')
        io.stdout(`its bond stays in BlueZ: remove it with \`bluetoothctl remove ${r.address}\`\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}
