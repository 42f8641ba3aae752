import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testSeed } from '../../../../test/helpers/seed.ts';
import { DEFAULT_DEADLINES, orderQueue, parseDeadlines } from './queue.ts';

const MIN = 60_000;
const now = Date.UTC(2026, 11, 2, 18, 0);

describe('console queue', () => {
  it('puts urgent first, then the longest waiting, with deadlines and overdue time', () => {
    const rows = orderQueue(
      [
        { itemId: 'r-old', urgency: 'routine', sentAt: now - 25 * 60 * MIN, answered: false },
        { itemId: 'u-new', urgency: 'urgent', sentAt: now - 5 * MIN, answered: false },
        { itemId: 'u-old', urgency: 'urgent', sentAt: now - 45 * MIN, answered: false },
        { itemId: 'r-new', urgency: 'routine', sentAt: now - 2 * MIN, answered: false },
        { itemId: 'done', urgency: 'urgent', sentAt: now - 50 * MIN, answered: true },
      ] as const,
      now,
    );
    expect(rows.map((r) => r.entry.itemId)).toEqual(['u-old', 'u-new', 'r-old', 'r-new']);
    expect(rows[0]).toMatchObject({ overdue: true, overdueMs: 15 * MIN, remainingMs: 0 });
    expect(rows[1]).toMatchObject({ overdue: false, remainingMs: 25 * MIN, dueAt: now + 25 * MIN });
    expect(rows[2]).toMatchObject({ overdue: true, overdueMs: 60 * MIN });
    expect(rows[3]).toMatchObject({ overdue: false, remainingMs: 24 * 60 * MIN - 2 * MIN });
  });

  it('takes configured deadlines and ignores what it cannot read', () => {
    expect(parseDeadlines('urgent=10m, routine=2h')).toEqual({ urgentMs: 10 * MIN, routineMs: 120 * MIN });
    expect(parseDeadlines('urgent=soon,routine=0h')).toEqual(DEFAULT_DEADLINES);
    const rows = orderQueue(
      [{ itemId: 'u', urgency: 'urgent', sentAt: now - 15 * MIN, answered: false }],
      now,
      parseDeadlines('urgent=10m'),
    );
    expect(rows[0]).toMatchObject({ overdue: true, overdueMs: 5 * MIN });
  });

  it('never lists a routine case before an urgent one, and within each keeps waiting order (property)', () => {
    const entry = fc.record({
      itemId: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 4, maxLength: 8 }),
      urgency: fc.constantFrom('urgent' as const, 'routine' as const),
      sentAt: fc.integer({ min: now - 3 * 86_400_000, max: now }),
      answered: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 60 }), (entries) => {
        const rows = orderQueue(entries, now);
        expect(rows.length).toBe(entries.filter((e) => !e.answered).length);
        for (let i = 1; i < rows.length; i++) {
          const a = rows[i - 1]!.entry;
          const b = rows[i]!.entry;
          expect(a.urgency === 'routine' && b.urgency === 'urgent').toBe(false);
          if (a.urgency === b.urgency) expect(a.sentAt).toBeLessThanOrEqual(b.sentAt);
        }
        for (const r of rows) expect(r.overdue).toBe(r.overdueMs > 0 || now > r.dueAt);
      }),
      { seed: testSeed(), verbose: 1 },
    );
  });
});
