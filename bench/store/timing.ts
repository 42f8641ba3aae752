import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Records per second over a timed run. */
export function rate(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

/** The p-th percentile (0..100) of samples, by nearest rank. */
export function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Rounds a metric for a readable JSON line. */
export function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

let collect: (() => void) | undefined;

/**
 * A full garbage collection, run by every peer right before its clock starts. Each peer builds
 * its whole input (50,000 observations or sealed bodies) just before timing; left in the young
 * generation, that input is copied and promoted by the first scavenges of the timed run, so a
 * peer was charged for the harness's own setup, in proportion to how many objects its input
 * has (ours: about ten per observation, the ceiling: two buffers). After this, each peer's
 * collector only sees what the peer itself allocates while it writes.
 */
export function settleHeap(): void {
  if (!collect) {
    // `gc` is exposed to a fresh context once the flag is set; the main context is left as is.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}

/**
 * CPU time the main thread has run, in ms (Linux: /proc/self/task/<pid>/schedstat), or NaN where
 * that is not readable. Unlike a rate, it barely moves when other processes load the machine, so
 * a peer's main-thread work per reading stays comparable between runs on a busy machine.
 */
export function mainThreadCpuMs(): number {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ');
    return Number(fields[0]) / 1e6;
  } catch {
    return Number.NaN;
  }
}
