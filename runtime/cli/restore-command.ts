import { resolve } from 'node:path';
import { restoreBackup, StoreError, verifyBackup } from '../../store/index.ts';
import { CliError, type CliArgs, type CliIo } from './command.ts';
import { resolveStoreAccess } from './store-access.ts';

/** The audit actor of a restore made from the command line. */
const RESTORE_ACTOR = 'cli-restore';

/** The implementation of `fieldkit restore` (metadata and purpose: commands.ts). */
export async function runRestore(args: CliArgs, io: CliIo): Promise<number> {
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
}
