import { describe, expect, it } from 'vitest';
import { sampleObservation } from '../testing.ts';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();

describe('observation postings of one commit', () => {
  it('index readings that switch visit, patient and hour back and forth within one commit', async () => {
    const s = await temp.open();
    // Issued in one synchronous step, so they join one commit (one observation group).
    const plan = [
      { visit: 'v-a', patient: 'p-a', at: '2025-01-01T08:10:00.000Z' },
      { visit: 'v-b', patient: 'p-b', at: '2025-01-01T09:10:00.000Z' },
      { visit: 'v-a', patient: 'p-a', at: '2025-01-01T08:20:00.000Z' },
      { visit: 'v-a', patient: 'p-b', at: '2025-01-01T11:20:00+03:00' }, // 08:20 UTC
      { visit: 'v-b', patient: 'p-a', at: '2025-01-01T09:59:59Z' },
      { visit: 'v-a', patient: 'p-a', at: '2025-01-01T08:59:59.999Z' },
    ];
    // The first write after opening also reserves ids (a commit of its own): done before.
    await s.addObservations([
      { ...sampleObservation(99, 'v-z', 'p-z'), effectiveAt: '2024-06-01T00:00:00Z' },
    ]);
    const commitsBefore = s.commitCount;
    const written = await Promise.all(
      plan.map((p, i) =>
        s.addObservations([{ ...sampleObservation(i, p.visit, p.patient), effectiveAt: p.at }]),
      ),
    );
    expect(s.commitCount - commitsBefore).toBe(1);
    const ids = written.map(([r]) => r?.id);
    const idsWhere = (pick: (p: (typeof plan)[number]) => boolean) => ids.filter((_, i) => pick(plan[i]!));
    const byId = (rs: { id: string }[]) => rs.map((r) => r.id);
    expect(byId(await s.observationsByVisit('v-a'))).toEqual(idsWhere((p) => p.visit === 'v-a'));
    expect(byId(await s.observationsByVisit('v-b'))).toEqual(idsWhere((p) => p.visit === 'v-b'));
    expect(byId(await s.observationsByPatient('p-a'))).toEqual(idsWhere((p) => p.patient === 'p-a'));
    expect(byId(await s.observationsByPatient('p-b'))).toEqual(idsWhere((p) => p.patient === 'p-b'));
    const hour8 = await s.observationsBetween(
      new Date('2025-01-01T08:00:00Z'),
      new Date('2025-01-01T09:00:00Z'),
    );
    expect(byId(hour8)).toEqual([ids[0], ids[2], ids[3], ids[5]]);
    const hour9 = await s.observationsBetween(
      new Date('2025-01-01T09:00:00Z'),
      new Date('2025-01-01T10:00:00Z'),
    );
    expect(byId(hour9)).toEqual([ids[1], ids[4]]);
    expect((await s.check()).ok).toBe(true);
  });
});
