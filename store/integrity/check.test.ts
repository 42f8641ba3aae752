import { describe, expect, it } from 'vitest';
import { keyOf, keyOfId } from '../engine/ids.ts';
import { contextOf } from '../record-store.ts';
import { sampleObservation } from '../testing.ts';
import { tempStores } from '../test-fixtures.ts';
import { chunkKey } from '../tables/attachments.ts';

const temp = tempStores();

async function populated() {
  const s = await temp.open();
  const p = await s.addPatient({ familyName: 'Гусева' });
  const v = await s.openVisit({ patientId: p.id });
  const obs = await s.addObservations([sampleObservation(1, v.id, p.id), sampleObservation(2, v.id, p.id)]);
  const blob = await s.putBlob({ kind: 'ecg', mediaType: 'application/x-ecg', visitId: v.id }, [
    Buffer.alloc(150_000, 3),
  ]);
  await s.enqueueOutbox({ priority: 'routine', kind: 'observation', payload: Buffer.from('o') });
  return { s, ctx: contextOf(s), p, v, obs, blob };
}

describe('store check', () => {
  it('passes a whole store and counts what it scanned, per table', async () => {
    const { s } = await populated();
    const check = await s.check();
    expect(check.ok).toBe(true);
    expect(check.damaged).toEqual([]);
    const lines = Object.fromEntries(check.tables.map((t) => [t.table, t.records]));
    expect(lines).toMatchObject({ patients: 1, visits: 1, observations: 2, attachments: 1, outbox: 1 });
    expect(check.postings).toBeGreaterThanOrEqual(8);
    expect(check.chunks).toBe(1);
    expect(check.audit.ok).toBe(true);
  });

  it('names a posting whose record is gone, a blob missing a chunk, and counts chunks without a blob', async () => {
    const { s, ctx, obs, blob } = await populated();
    const gone = keyOfId('o', obs[0]?.id ?? '', 'observations');
    await ctx.batcher.enqueue(() => {
      ctx.dbs.tables.observations.removeSync(gone);
      ctx.dbs.chunks.removeSync(chunkKey(keyOfId('a', blob.id, 'attachments'), 0));
      ctx.dbs.chunks.putSync(chunkKey(keyOf(999_999), 0), Buffer.from('debris'));
    });
    const check = await s.check();
    expect(check.ok).toBe(false);
    expect(check.damaged).toEqual([{ table: 'attachments', id: blob.id, code: 'blob_incomplete' }]);
    // The removed observation was indexed under its visit, patient and hour.
    expect(check.danglingPostings).toEqual({
      count: 3,
      keys: [gone, gone, gone].map((k) => k.toString('hex')),
    });
    expect(check.orphanChunks).toBe(1);
  });

  it('names a missing audit entry as the chain breaking there', async () => {
    const { s, ctx } = await populated();
    await ctx.batcher.enqueue(() => ctx.dbs.tables.audit.removeSync(keyOf(2)));
    const check = await s.check();
    expect(check.ok).toBe(false);
    expect(check.audit.firstBroken).toMatchObject({ seq: 2 });
  });
});
