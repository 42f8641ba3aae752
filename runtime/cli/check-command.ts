import type { CliArgs, CliIo } from './command.ts';
import { damageSummary, formatCheck } from './check-report.ts';
import { openStoreForCli } from './open-store.ts';
import { resolveStoreAccess } from './store-access.ts';

/** The implementation of `fieldkit check` (metadata and purpose: commands.ts). */
export async function runCheck(args: CliArgs, io: CliIo): Promise<number> {
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
}
