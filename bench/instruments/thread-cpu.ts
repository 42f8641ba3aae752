import { readFileSync, readdirSync } from 'node:fs';

/** CPU time (ms) used so far by each thread of this process, by thread id. */
export type ThreadCpu = ReadonlyMap<string, number>;

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on every Linux we run). */
const TICKS_PER_S = 100;

/**
 * Each thread's user + system CPU time from /proc/self/task (Linux). Empty where /proc is not
 * there: the split below then reads NaN instead of a wrong figure.
 */
export function threadCpu(): ThreadCpu {
  const out = new Map<string, number>();
  let tasks: string[];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from field 3 (state) on.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
      if (Number.isFinite(ticks)) out.set(tid, (ticks * 1000) / TICKS_PER_S);
    } catch {
      // The thread ended between the listing and the read: its time is gone with it.
    }
  }
  return out;
}

/**
 * Where the process's CPU went between two readings: the main thread (JavaScript: D-Bus parsing,
 * drivers, pipeline, the store's synchronous part) and every other thread (LMDB's write worker
 * with its fsyncs, V8's compiler and GC helpers, libuv's pool). Milliseconds; NaN without /proc.
 */
export function threadCpuSplit(before: ThreadCpu, after: ThreadCpu): { mainMs: number; otherMs: number } {
  if (after.size === 0) return { mainMs: Number.NaN, otherMs: Number.NaN };
  const main = String(process.pid);
  let mainMs = 0;
  let otherMs = 0;
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === main) mainMs += used;
    else otherMs += used;
  }
  return { mainMs, otherMs };
}
