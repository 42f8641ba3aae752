import { CliError, EXIT_USAGE, type CliArgs, type CliIo } from './command.ts';
import { resolveStoreAccess } from './store-access.ts';
import { openStoreForCli } from './open-store.ts';

/** The implementation of `fieldkit audit` (metadata and purpose: commands.ts). */
export async function runAudit(args: CliArgs, io: CliIo): Promise<number> {
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
}
