import { describe, expect, it } from 'vitest';
import { Backoff, reconnectDelay, type ReconnectPolicy } from './backoff.ts';

/** The kit's defaults (runtime/config.ts): 500 ms first retry, then 2 s doubling up to 30 s. */
const KIT: ReconnectPolicy = { firstMs: 500, baseMs: 2000, maxMs: 30_000 };

describe('reconnect policy', () => {
  // [attempt, random, expected delay ms]
  const table: Array<[number, number, number]> = [
    [0, 0, 250], // quick first retry: half of firstMs fixed...
    [0, 0.5, 375],
    [0, 0.999_999, 500], // ...at most firstMs
    [1, 0, 1000], // then the backoff base
    [1, 0.999_999, 2000],
    [2, 0, 2000],
    [3, 0, 4000],
    [4, 0.5, 12_000],
    [5, 0, 15_000], // 32 s capped at 30 s
    [5, 0.999_999, 30_000],
    [40, 0.999_999, 30_000], // never above the cap, no overflow
  ];
  it.each(table)('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(reconnectDelay(attempt, KIT, random)).toBe(expected);
  });

  it('keeps the first retry below the backoff base and within the cap', () => {
    for (const r of [0, 0.25, 0.75, 0.999]) {
      expect(reconnectDelay(0, KIT, r)).toBeLessThanOrEqual(KIT.firstMs);
      expect(reconnectDelay(0, KIT, r)).toBeLessThan(reconnectDelay(1, KIT, 0) + 1);
    }
    expect(reconnectDelay(0, { firstMs: 5000, baseMs: 100, maxMs: 1000 }, 0.999_999)).toBe(1000);
  });

  it('clamps a random source outside [0, 1)', () => {
    expect(reconnectDelay(1, KIT, -3)).toBe(1000);
    expect(reconnectDelay(1, KIT, 7)).toBe(2000);
  });
});

describe('reconnection backoff', () => {
  it('retries quickly first, doubles with jitter up to the maximum, and resets after a link that worked', () => {
    let r = 0;
    const b = new Backoff({ firstMs: 40, baseMs: 100, maxMs: 1000, random: () => r });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      20, 50, 100, 200, 400, 500,
    ]);
    expect(b.attempts).toBe(6);
    r = 0.999_999;
    expect(b.next()).toBe(1000);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(40);
  });
});
