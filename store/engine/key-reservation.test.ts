import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyReservation, RESERVE_BLOCK } from './key-reservation.ts';

describe('key reservation', () => {
  it('hands out nothing until a committed block is adopted, and asks for one', () => {
    const keys = new KeyReservation();
    expect(keys.take(1)).toBeUndefined();
    expect(keys.claimRequest()).toBe(RESERVE_BLOCK);
    // The request is claimed once: a second transaction does not reserve again.
    expect(keys.claimRequest()).toBe(0);
    keys.adopt(11, 20);
    expect(keys.take(3)).toBe(11);
    expect(keys.take(1)).toBe(14);
    expect(keys.remaining).toBe(6);
  });

  it('asks for a larger block when one request exceeds the usual size', () => {
    const keys = new KeyReservation();
    expect(keys.take(RESERVE_BLOCK * 3)).toBeUndefined();
    expect(keys.claimRequest()).toBe(RESERVE_BLOCK * 3);
  });

  it('asks for a top-up while half a block is still left, so a steady stream never waits', () => {
    const keys = new KeyReservation();
    keys.adopt(1, RESERVE_BLOCK);
    expect(keys.take(RESERVE_BLOCK / 2 - 1)).toBe(1);
    expect(keys.claimRequest()).toBe(0);
    keys.take(2);
    expect(keys.claimRequest()).toBe(RESERVE_BLOCK);
  });

  it('abandons a block too small for a request instead of ever going back to it', () => {
    const keys = new KeyReservation();
    keys.adopt(1, 10);
    keys.adopt(101, 200);
    expect(keys.take(8)).toBe(1);
    expect(keys.take(5)).toBe(101);
    // Ids 9 and 10 were left behind: a later small request must not get them.
    expect(keys.take(1)).toBe(106);
  });

  it('ignores a block older than one already adopted', () => {
    const keys = new KeyReservation();
    keys.adopt(101, 200);
    keys.adopt(1, 100);
    expect(keys.take(1)).toBe(101);
  });

  it('hands out strictly increasing, non-overlapping ids whatever the requests and adoptions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.constant(0)), { maxLength: 200 }),
        (steps) => {
          const keys = new KeyReservation();
          let persisted = 0;
          let last = 0;
          for (const n of steps) {
            if (n === 0) {
              // A transaction commits: it reserves what was asked past the persisted counter.
              const wanted = keys.claimRequest();
              if (wanted > 0) {
                keys.adopt(persisted + 1, persisted + wanted);
                persisted += wanted;
              }
              continue;
            }
            const first = keys.take(n);
            if (first === undefined) continue;
            expect(first).toBeGreaterThan(last);
            expect(first + n - 1).toBeLessThanOrEqual(persisted);
            last = first + n - 1;
          }
        },
      ),
    );
  });

  it('refill waits for the reserving transaction and shares one between concurrent callers', async () => {
    const keys = new KeyReservation();
    let transactions = 0;
    const reserve = async () => {
      transactions += 1;
      await Promise.resolve();
      const wanted = keys.claimRequest();
      keys.adopt(1, wanted);
    };
    await Promise.all([keys.refill(5, reserve), keys.refill(7, reserve)]);
    expect(transactions).toBe(1);
    expect(keys.take(12)).toBe(1);
  });
});
