import { type CliCommand } from './command.ts';
import { damageSummary, formatCheck } from './check-report.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess, STORE_ACCESS_HELP, STORE_ACCESS_OPTIONS } from './store-access.ts';

/**
 * `fieldkit check`: scans the whole store and reports per table: every record opens, every
 * posting of the blind index points to a record, every blob has all its chunks, the audit chain
 * holds. Names every damaged record; exit 0 when the store is whole, 1 when anything is damaged.
 * Safe while the kit runs (it only reads; the LMDB snapshot it reads is consistent).
 */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'Check the whole store: every record, index posting, blob chunk and the audit chain',
  usage: '',
  options: { ...STORE_ACCESS_OPTIONS },
  optionHelp: { ...STORE_ACCESS_HELP },
  positionals: { min: 0, max: 0 },
  async run(args, io) {
    const access = await resolveStoreAccess(args, io);
    const store = await openStoreForCli(access, 'cli-check', false);
    try {
      const check = await store.check();
      io.stdout(`store check of ${access.path}:\n${formatCheck(check, Number.POSITIVE_INFINITY)}`);
      if (check.ok) {
        io.stdout(`store is whole: ${check.records} records, ${check.chunks} blob chunks\n`);
        return 0;
      }
      io.stdout(
        `DAMAGED: ${damageSummary(check)}. Readable records are still served. ` +
          '`fieldkit backup` copies everything and names the damage; `fieldkit restore --salvage <backup>` ' +
          'restores every readable record.\n',
      );
      return 1;
    } finally {
      await store.close();
    }
  },
};
