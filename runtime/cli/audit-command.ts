import { CliError, EXIT_USAGE, type CliCommand } from './command.ts';
import { resolveStoreAccess, STORE_ACCESS_HELP, STORE_ACCESS_OPTIONS } from './store-access.ts';
import { openStoreForCli } from './open-store.ts';

/**
 * `fieldkit audit verify`: walks the hash-chained audit log and names the first broken link, so
 * an inspector (or the brigade's admin) can show that nobody removed or edited who-saw-what.
 * Exit 0 when the chain holds, 1 when it is broken.
 */
export const auditCommand: CliCommand = {
  name: 'audit',
  summary: 'Check the audit log: `audit verify` names the first broken link of the hash chain',
  usage: 'verify',
  options: { ...STORE_ACCESS_OPTIONS },
  optionHelp: { ...STORE_ACCESS_HELP },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    if (args.positionals[0] !== 'verify')
      throw new CliError(`unknown audit action '${args.positionals[0] ?? ''}' (have: verify)`, EXIT_USAGE);
    const access = await resolveStoreAccess(args, io);
    const store = await openStoreForCli(access, 'cli-audit', false);
    try {
      const verdict = await store.verifyAudit();
      if (verdict.ok) {
        io.stdout(`audit chain intact: ${verdict.entries} entries\n`);
        return 0;
      }
      const broken = verdict.firstBroken;
      io.stdout(
        `audit chain BROKEN at entry ${broken?.seq ?? '?'}: ${broken?.reason ?? 'unknown'} (${verdict.entries} entries verified before it)\n`,
      );
      return 1;
    } finally {
      await store.close();
    }
  },
};
