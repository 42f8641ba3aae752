import { resolve } from 'node:path';
import { verifyBackup } from '../../store/index.ts';
import { damageSummary, formatCheck } from './check-report.ts';
import { resolveStoreAccess } from './store-access.ts';
import { openStoreForCli } from './open-store.ts';
import { CliError, type CliArgs, type CliIo } from './command.ts';

/** The implementation of `fieldkit backup` (metadata and purpose: commands.ts). */
export async function runBackup(args: CliArgs, io: CliIo): Promise<number> {
  const file = resolve(args.positionals[0] ?? '');
  const access = await resolveStoreAccess(args, io);
  const store = await openStoreForCli(access, 'cli-backup', false);
  try {
    const summary = await store.backup(file);
    await verifyBackup(file, access.passphrase);
    io.stdout(
      `backup written and verified: ${file} (${summary.bytes} bytes of store, ${summary.frames} frames)\n`,
    );
    if (summary.check.ok) return 0;
    io.stdout(
      `WARNING: the store holds ${damageSummary(summary.check)}; they were copied as they are ` +
        `and are named in the backup's trailer:\n${formatCheck(summary.check)}`,
    );
    return 1;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`backup failed: ${err instanceof Error ? err.message : String(err)}`, 1);
  } finally {
    await store.close();
  }
}
