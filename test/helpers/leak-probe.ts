import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What a process holds at one moment: handles by type, open file descriptors, memory after GC. */
export interface ProcessCounts {
  /** process.getActiveResourcesInfo(), counted by resource type (sockets, timers, TLS wraps...). */
  readonly resources: Record<string, number>;
  /** Entries of /proc/self/fd: every socket, pipe and file this process has open. */
  readonly fds: number;
  /** V8 heap in use after two full collections. */
  readonly heapUsed: number;
  readonly rss: number;
}

let collect: (() => void) | undefined;

/**
 * A full garbage collection without starting the process with --expose-gc (vitest forks its
 * workers itself): the flag is set at run time and the `gc` function taken from a new context.
 */
export function fullGc(): void {
  if (!collect) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}

/**
 * Counts what this process holds, for leak tests (1,000 reconnects leave nothing behind): handles
 * are counted by type so a failure names what accumulated, and memory is read after GC (twice,
 * with a turn of the event loop between, so finalizers and weak callbacks have run).
 */
export async function processCounts(): Promise<ProcessCounts> {
  fullGc();
  await new Promise((r) => setImmediate(r));
  fullGc();
  const resources: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
  const mem = process.memoryUsage();
  return { resources, fds: readdirSync('/proc/self/fd').length, heapUsed: mem.heapUsed, rss: mem.rss };
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
