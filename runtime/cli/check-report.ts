import type { StoreCheck } from '../../store/index.ts';

/** Damaged records printed by a command (all are counted; `fieldkit check` lists them all). */
const LISTED = 50;

/**
 * A store check as the CLI prints it: one line per table (records, damaged), the index, the
 * blob chunks and the audit chain, then the damaged records by table and id. Shared by `check`,
 * `backup` and `restore`, so each names damage the same way.
 */
export function formatCheck(check: StoreCheck, listed = LISTED): string {
  const lines = [`  ${'table'.padEnd(14)} ${'records'.padStart(9)} ${'damaged'.padStart(8)}`];
  for (const t of check.tables)
    if (t.records > 0 || t.damaged > 0)
      lines.push(`  ${t.table.padEnd(14)} ${String(t.records).padStart(9)} ${String(t.damaged).padStart(8)}`);
  const dangling = check.danglingPostings;
  lines.push(
    `  index: ${check.postings} postings, ${dangling.count} without a record` +
      (dangling.keys.length > 0 ? ` (record keys ${dangling.keys.slice(0, 5).join(', ')})` : ''),
    `  blobs: ${check.chunks} chunks, ${check.orphanChunks} without a blob (debris of an interrupted upload)`,
    check.audit.ok
      ? `  audit chain: intact, ${check.audit.entries} entries` +
          (check.audit.declaredLost ? ` (${check.audit.declaredLost.length} declared lost by a salvage)` : '')
      : `  audit chain: BROKEN at entry ${check.audit.firstBroken?.seq ?? '?'}: ${check.audit.firstBroken?.reason ?? '?'}`,
  );
  if (check.damagedCount > 0) {
    lines.push(`damaged records (${check.damagedCount}):`);
    for (const d of check.damaged.slice(0, listed)) lines.push(`  ${d.table} ${d.id} (${d.code})`);
    if (check.damagedCount > listed) lines.push(`  ... and ${check.damagedCount - listed} more`);
  }
  return lines.join('\n') + '\n';
}

/** One line saying what is wrong, for the end of a command's output. */
export function damageSummary(check: StoreCheck): string {
  const parts = [
    check.damagedCount > 0
      ? `${check.damagedCount} damaged record${check.damagedCount === 1 ? '' : 's'}`
      : '',
    check.danglingPostings.count > 0 ? `${check.danglingPostings.count} index postings without a record` : '',
    check.audit.ok ? '' : 'a broken audit chain',
  ].filter(Boolean);
  return parts.join(', ');
}
