import { resolve } from 'node:path';
import { restoreBackup, StoreError, verifyBackup } from '../../store/index.ts';
import { CliError, type CliCommand } from './command.ts';
import { resolveStoreAccess, STORE_ACCESS_HELP, STORE_ACCESS_OPTIONS } from './store-access.ts';

/** The audit actor of a restore made from the command line. */
const RESTORE_ACTOR = 'cli-restore';

/**
 * `fieldkit restore <file>`: checks the backup completely (every frame, the trailer, then every
 * record decrypting in a staging copy) and records the restore in the restored store's audit log
 * before replacing anything; the replaced store is kept beside it. Refuses while the kit runs on
 * the data directory (its `kit.pid` names a live process). `--check` only verifies.
 */
export const restoreCommand: CliCommand = {
  name: 'restore',
  summary:
    'Restore the store from a backup after verifying it (--check: verify only); refuses while the kit runs',
  usage: '<file>',
  options: { ...STORE_ACCESS_OPTIONS, check: { type: 'boolean' } },
  optionHelp: {
    ...STORE_ACCESS_HELP,
    check: 'Only verify the backup; change nothing (allowed while the kit runs)',
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const file = resolve(args.positionals[0] ?? '');
    const access = await resolveStoreAccess(args, io);
    try {
      if (args.values.check === true) {
        const trailer = await verifyBackup(file, access.passphrase);
        io.stdout(`backup is valid: ${trailer.bytes} bytes, taken ${trailer.createdAt}\n`);
        return 0;
      }
      const result = await restoreBackup(file, access.path, access.passphrase, { actor: RESTORE_ACTOR });
      io.stdout(
        `restored ${result.records} records into ${access.path} (backup taken ${result.trailer.createdAt})\n` +
          `recorded in its audit log as a restore of ${result.backupName}\n` +
          (result.previous ? `the previous store was kept in ${result.previous}\n` : ''),
      );
      return 0;
    } catch (err) {
      if (err instanceof StoreError && err.code === 'wrong_passphrase')
        throw new CliError('wrong passphrase for this backup; nothing was changed', 1);
      if (err instanceof StoreError) throw new CliError(`${err.message} Nothing was changed.`, 1);
      throw err;
    }
  },
};
