import { resolve } from 'node:path';
import { openStore, StoreError, verifyBackup, writeBackup, type RecordStore } from '../../store/index.ts';
import {
  resolveStoreAccess,
  STORE_ACCESS_HELP,
  STORE_ACCESS_OPTIONS,
  type StoreAccess,
} from './store-access.ts';
import { CliError, type CliCommand } from './command.ts';

/** Opens the existing store under a named actor; the store's typed errors become one CLI line. */
async function openExisting(access: StoreAccess, actor: string): Promise<RecordStore> {
  try {
    return await openStore({ path: access.path, passphrase: access.passphrase, create: false, actor });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'wrong_passphrase')
      throw new CliError(`wrong passphrase for the store in ${access.path}; nothing was changed`, 1);
    if (err instanceof StoreError)
      throw new CliError(`cannot open the store in ${access.path}: ${err.message}`, 1);
    throw err;
  }
}

/**
 * `fieldkit backup <file>`: writes an encrypted, verifiable backup while the kit keeps running
 * (LMDB snapshot from a second process), then reads it back to prove it restores.
 */
export const backupCommand: CliCommand = {
  name: 'backup',
  summary: 'Write an encrypted, verified backup of the store (safe while the kit runs)',
  usage: '<file>',
  options: { ...STORE_ACCESS_OPTIONS },
  optionHelp: { ...STORE_ACCESS_HELP },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const file = resolve(args.positionals[0] ?? '');
    const access = await resolveStoreAccess(args, io);
    if (!access.exists) throw new CliError(`no store in ${access.path}`, 1);
    const store = await openExisting(access, 'cli-backup');
    try {
      const summary = await writeBackup(store, file);
      await verifyBackup(file, access.passphrase);
      io.stdout(
        `backup written and verified: ${file} (${summary.bytes} bytes of store, ${summary.frames} frames)\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof CliError) throw err;
      throw new CliError(`backup failed: ${err instanceof Error ? err.message : String(err)}`, 1);
    } finally {
      await store.close();
    }
  },
};
