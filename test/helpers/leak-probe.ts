import { readdirSync, readFileSync } from 'node:fs';
import { fullGc } from '../../runtime/cli/full-gc.ts';

/** What a process holds at one moment: handles by type, open file descriptors, memory after GC. */
export interface ProcessCounts {
  /** process.getActiveResourcesInfo(), counted by resource type (sockets, timers, TLS wraps...). */
  readonly resources: Record<string, number>;
  /** Entries of /proc/self/fd: every socket, pipe and file this process has open. */
  readonly fds: number;
  /** Threads of the process (native bindings such as @roamhq/wrtc run their own). */
  readonly threads: number;
  /** V8 heap in use after two full collections. */
  readonly heapUsed: number;
  readonly rss: number;
}

/**
 * Counts what this process holds, for leak tests (1,000 reconnects leave nothing behind): handles
 * are counted by type so a failure names what accumulated, and memory is read after GC (twice,
 * with a turn of the event loop between, so finalizers and weak callbacks have run).
 */
export async function processCounts(options: { settleMs?: number } = {}): Promise<ProcessCounts> {
  fullGc();
  await new Promise((r) => setImmediate(r));
  fullGc();
  // Native bindings that free their threads and descriptors only once their JS object is
  // collected (@roamhq/wrtc does, a few seconds after GC): wait while the count still falls.
  if (options.settleMs) {
    const end = Date.now() + options.settleMs;
    let last = openFds();
    let steady = 0;
    while (Date.now() < end && steady < 3) {
      await new Promise((r) => setTimeout(r, 250));
      fullGc();
      const now = openFds();
      steady = now < last ? 0 : steady + 1;
      last = now;
    }
  }
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  const mem = process.memoryUsage();
  return { resources, fds: openFds(), threads: threadCount(), heapUsed: mem.heapUsed, rss: mem.rss };
}

/** Entries of /proc/self/fd. */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Threads of this process (/proc/self/status): native bindings run their own. */
export function threadCount(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
}

/** Resource types whose count grew from `before` to `after` (type: [before, after]). */
export function grownResources(
  before: ProcessCounts,
  after: ProcessCounts,
  slack = 0,
): Record<string, [number, number]> {
  const grown: Record<string, [number, number]> = {};
  for (const [type, n] of Object.entries(after.resources)) {
    const was = before.resources[type] ?? 0;
    if (n > was + slack) grown[type] = [was, n];
  }
  return grown;
}
