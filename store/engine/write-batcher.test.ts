import { describe, expect, it } from 'vitest';
import { keyOf } from './ids.ts';
import { sampleObservation } from '../testing.ts';
import { contextOf } from '../record-store.ts';
import type { BodyOf } from '../tables.ts';
import { BLIND_TAGS } from '../tables/blind-index.ts';
import type { WriteTx } from './write-tx.ts';
import { LaneGroup } from './write-batcher.ts';
import { tempStores } from '../test-fixtures.ts';

/** A sample reading as the observations table stores it. */
function storedBody(input: ReturnType<typeof sampleObservation>): BodyOf<'observations'> {
  return { ...input, recordedAt: new Date().toISOString() };
}

const temp = tempStores();

describe('write batcher', () => {
  it('rolls back exactly the writes of an operation that throws mid-way; companions commit', async () => {
    const store = await temp.open();
    const { batcher, dbs } = contextOf(store);
    const poison = keyOf(999_999);
    const results = await Promise.allSettled([
      store.addObservations([sampleObservation(1, 'visit-x')]),
      batcher.enqueue((tx) => {
        tx.putRecord('observations', poison, storedBody(sampleObservation(3, 'visit-x')));
        tx.index(tx.blind(BLIND_TAGS.observations.visit, 'visit-x'), poison);
        tx.audit('kit', 'create', 'observations', ['o-poison']);
        throw new Error('bug after a write');
      }),
      store.addObservations([sampleObservation(2, 'visit-x')]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(dbs.tables.observations.get(poison)).toBeUndefined();
    expect(await store.observationsByVisit('visit-x')).toHaveLength(2);
    const audit = await store.readAudit();
    expect(audit.flatMap((e) => e.recordIds)).not.toContain('o-poison');
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
  });

  it('types putRecord by table: a body of another shape does not compile', () => {
    // Never run: the assertions are tsc's (npm test type-checks the tests).
    const typeOnly = (tx: WriteTx) => {
      // @ts-expect-error half a record is not an observation body
      tx.putRecord('observations', keyOf(1), { half: 'written' });
      // @ts-expect-error a visit body is not a patient body
      tx.putRecord('patients', keyOf(2), { patientId: null, openedAt: '', status: 'open' });
      tx.putRecord('messages', keyOf(3), { any: 'map, until that table is pinned down' });
    };
    expect(typeof typeOnly).toBe('function');
  });

  it('writes a record whose append lmdb refuses (a key below the table end) instead of dropping it', async () => {
    const store = await temp.open();
    const { batcher, dbs } = contextOf(store);
    const body = { note: 'placeholder table accepts any map' };
    await batcher.enqueue((tx) => tx.putRecord('messages', keyOf(100), body, true));
    // lmdb-js answers a refused append by returning false: the record must still be written.
    await batcher.enqueue((tx) => tx.putRecord('messages', keyOf(5), body, true));
    expect(dbs.tables.messages.get(keyOf(5))).toBeDefined();
    expect([...dbs.tables.messages.getKeys()]).toHaveLength(2);
    await store.close();
  });

  it('joins readings that arrive before a commit into one operation; each caller gets its own records', async () => {
    const store = await temp.open();
    // The first write after opening waits for the id reservation; after it, ids are at hand.
    const [warm] = await store.addObservations([sampleObservation(0, 'v-warm')]);
    const commits = store.commitCount;
    const calls = [1, 2, 3, 4, 5].map((i) =>
      store.addObservations(
        i === 3
          ? [sampleObservation(30, 'v-a'), sampleObservation(31, 'v-b')]
          : [sampleObservation(i, 'v-a')],
      ),
    );
    const results = await Promise.all(calls);
    expect(results.map((r) => r.length)).toEqual([1, 1, 2, 1, 1]);
    expect(results[2]?.map((o) => o.visitId)).toEqual(['v-a', 'v-b']);
    const ids = results.flat().map((o) => o.id);
    expect([...ids].sort()).toEqual(ids);
    expect(store.commitCount - commits).toBe(1);
    expect((await store.observationsByVisit('v-a')).map((o) => o.id)).toEqual(ids.filter((_, i) => i !== 3));
    // One audit note names every reading of the group.
    const created = (await store.readAudit()).filter(
      (e) => e.action === 'create' && e.table === 'observations',
    );
    expect(created.map((e) => e.recordIds)).toEqual([[warm?.id], ids]);
    await store.close();
  });

  it('fails a group whole when it throws, rejecting every caller that joined it; companions commit', async () => {
    const store = await temp.open();
    const { batcher } = contextOf(store);
    const lane = {};
    class Failing extends LaneGroup<string> {
      run(tx: WriteTx): string[] {
        tx.putRecord('messages', keyOf(7), { note: 'written before the throw' });
        throw new Error('group failed');
      }
    }
    const joined = [0, 1, 2].map(() => batcher.group(lane, () => new Failing()).settled());
    const reading = store.addObservations([sampleObservation(1, 'v-c')]);
    const results = await Promise.allSettled([...joined, reading]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'fulfilled']);
    expect(contextOf(store).dbs.tables.messages.get(keyOf(7))).toBeUndefined();
    expect(await store.observationsByVisit('v-c')).toHaveLength(1);
    // The next transaction opens a fresh group.
    const next = batcher.group(lane, () => new Failing());
    expect(joined).toHaveLength(3);
    await expect(next.settled()).rejects.toThrow('group failed');
    await store.close();
  });
});
