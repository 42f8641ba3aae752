import { describe, expect, it } from 'vitest';
import { sampleObservation } from '../testing.ts';
import { contextOf } from '../record-store.ts';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();

async function storeWith(count: number) {
  const store = await temp.open({ actor: 'medic' });
  const saved = await store.addObservations(Array.from({ length: count }, (_, i) => sampleObservation(i)));
  return { store, ids: saved.map((o) => o.id) };
}

describe('read audit', () => {
  it('gathers reads issued before a commit into one entry, every id in read order', async () => {
    const { store, ids } = await storeWith(5);
    const commits = store.commitCount;
    for (let i = 0; i < 300; i++) await store.observationsByVisit('v-1');
    await store.getObservation(ids[2] ?? '');
    const reads = (await store.readAudit()).filter((e) => e.action === 'read');
    expect(store.commitCount).toBe(commits + 1);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ actor: 'medic', table: 'observations' });
    expect(reads[0]?.recordIds).toEqual([...Array.from({ length: 300 }, () => ids).flat(), ids[2]]);
    // create, the reads, and the read of the audit log itself.
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 3 });
    await store.close();
  });

  it('keeps the reads of a batch that is replayed because a companion operation failed', async () => {
    const { store, ids } = await storeWith(2);
    await store.observationsByVisit('v-1');
    const failing = contextOf(store).batcher.enqueue(() => {
      throw new Error('bug');
    });
    await expect(failing).rejects.toThrow('bug');
    const reads = (await store.readAudit()).filter((e) => e.action === 'read');
    expect(reads.map((e) => e.recordIds)).toEqual([ids]);
    await store.close();
  });

  it('starts a new entry for reads made after the previous one was committed', async () => {
    const { store, ids } = await storeWith(1);
    await store.observationsByVisit('v-1');
    await contextOf(store).batcher.drain();
    await store.observationsByVisit('v-1');
    const reads = (await store.readAudit()).filter((e) => e.action === 'read');
    expect(reads.map((e) => e.recordIds)).toEqual([ids, ids]);
    await store.close();
  });
});
