import { describe, expect, it } from 'vitest';
import { keyOf } from './ids.ts';
import { sampleObservation } from '../testing.ts';
import { contextOf } from '../record-store.ts';
import type { BodyOf } from '../tables.ts';
import { BLIND_TAGS } from '../tables/blind-index.ts';
import type { WriteTx } from './write-tx.ts';
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
});
