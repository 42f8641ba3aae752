import { describe, expect, it } from 'vitest';
import { threadCpu, threadCpuSplit } from './thread-cpu.ts';

/** Spins the calling thread for `ms` of CPU time (process.cpuUsage: this thread is the busy one). */
function spin(ms: number): void {
  const start = process.cpuUsage();
  let x = 0;
  for (;;) {
    for (let i = 0; i < 100_000; i++) x += Math.sqrt(i);
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1000 >= ms) break;
  }
  expect(x).toBeGreaterThan(0);
}

describe('per-thread CPU from /proc/self/task', () => {
  it('puts CPU burnt on the main thread into mainMs, not into the other threads', () => {
    const before = threadCpu();
    expect(before.get(String(process.pid))).toBeGreaterThanOrEqual(0);
    spin(300);
    const { mainMs, otherMs } = threadCpuSplit(before, threadCpu());
    // /proc counts in 10 ms ticks; the other threads (V8, libuv) may add a little of their own.
    expect(mainMs).toBeGreaterThanOrEqual(250);
    expect(otherMs).toBeLessThan(mainMs);
  });

  it('reads NaN, not zero, when no thread could be read', () => {
    expect(threadCpuSplit(new Map(), new Map())).toEqual({ mainMs: Number.NaN, otherMs: Number.NaN });
  });
});
