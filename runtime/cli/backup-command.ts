import { resolve } from 'node:path';
import { verifyBackup } from '../../store/index.ts';
import { damageSummary, formatCheck } from './check-report.ts';
import { resolveStoreAccess, STORE_ACCESS_HELP, STORE_ACCESS_OPTIONS } from './store-access.ts';
import { openStoreForCli } from './open-store.ts';
import { CliError, type CliCommand } from './command.ts';

/**
 * `fieldkit backup <file>`: writes an encrypted, verifiable backup while the kit keeps running
 * (LMDB snapshot from a second process), then reads it back to prove it restores. Everything is
 * copied; records found damaged in the snapshot are named here and in the backup's trailer, and
 * the command then exits 1 (the backup was written, but the store needs attention).
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
  },
};
