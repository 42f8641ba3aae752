import { resolve } from 'node:path';
import { DamagedBackupError, examineBackup, restoreBackup, StoreError } from '../../store/index.ts';
import { damageSummary, formatCheck } from './check-report.ts';
import { CliError, EXIT_USAGE, type CliArgs, type CliIo } from './command.ts';
import { resolveStoreAccess } from './store-access.ts';

/** The audit actor of a restore made from the command line. */
const RESTORE_ACTOR = 'cli-restore';

/** The implementation of `fieldkit restore` (metadata and purpose: commands.ts). */
export async function runRestore(args: CliArgs, io: CliIo): Promise<number> {
  const file = resolve(args.positionals[0] ?? '');
  if (args.values.check === true && args.values.salvage === true)
    throw new CliError('--check and --salvage exclude each other', EXIT_USAGE);
  const access = await resolveStoreAccess(args, io);
  try {
    if (args.values.check === true) {
      const found = await examineBackup(file, access.passphrase, access.path);
      io.stdout(
        `backup taken ${found.trailer.createdAt}, ${found.trailer.bytes} bytes:\n${formatCheck(found.check)}`,
      );
      if (found.check.ok) {
        io.stdout(`backup is valid: a restore would put ${found.check.records} records in place\n`);
        return 0;
      }
      io.stdout(
        `backup is DAMAGED: ${damageSummary(found.check)}. \`restore\` would refuse it; ` +
          '`restore --salvage` would restore every readable record.\n',
      );
      return 1;
    }
    const salvage = args.values.salvage === true;
    const result = await restoreBackup(file, access.path, access.passphrase, {
      actor: RESTORE_ACTOR,
      salvage,
    });
    io.stdout(
      `restored ${result.records} records into ${access.path} (backup taken ${result.trailer.createdAt})\n` +
        `recorded in its audit log as a restore of ${result.backupName}\n` +
        (result.previous ? `the previous store was kept in ${result.previous}\n` : ''),
    );
    if (result.lost.length > 0) {
      io.stdout(
        `SALVAGED: ${result.lost.length} damaged records were left out (recorded in the audit log):\n`,
      );
      for (const r of result.lost) io.stdout(`  ${r.table} ${r.id} (${r.code})\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof DamagedBackupError) {
      io.stdout(formatCheck(err.check));
      throw new CliError(
        `${err.message} Restore refused; nothing was changed. ` +
          '`fieldkit restore --salvage` restores every readable record and lists the lost ones.',
        1,
      );
    }
    if (err instanceof StoreError && err.code === 'wrong_passphrase')
      throw new CliError('wrong passphrase for this backup; nothing was changed', 1);
    if (err instanceof StoreError) throw new CliError(`${err.message} Nothing was changed.`, 1);
    throw err;
  }
}
