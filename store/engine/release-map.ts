import type { StoreContext } from './context.ts';
import { openDatabase } from './db.ts';

/**
 * Lets go of the pages of the LMDB file this process has mapped, by closing the environment and
 * opening it again. Linux counts every page of a mapped file that a read touched (and, by fault
 * around, up to 64 KB of its neighbours) in the process's RSS until the map is unmapped; a read of
 * the whole store (an export) therefore ends with the whole file resident. JavaScript cannot
 * madvise, and lmdb-js shares one environment per path within a process, so closing it is the
 * only way to unmap. The pages stay in the kernel's page cache: reading them again is a minor
 * fault, not disk I/O.
 *
 * Waits until no write transaction is running, then closes and reopens in one synchronous step
 * (lmdb-js closes synchronously when no write of its own is pending, which the batcher ensures):
 * operations queued meanwhile run on the new databases, as every reader takes `ctx.dbs` at use.
 * A caller must not hold an LMDB range iterator across the call (none of the store's functions
 * does: they read their ranges synchronously).
 */
export async function releaseMappedPages(ctx: StoreContext): Promise<void> {
  do await ctx.batcher.drain();
  while (ctx.batcher.committing);
  const old = ctx.slot.dbs;
  const closing = old.env.close();
  if ((old.env as unknown as { status?: string }).status !== 'closed') await closing;
  ctx.slot.dbs = openDatabase(ctx.dir);
}
