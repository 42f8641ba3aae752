import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { keyOf } from './ids.ts';
import { TEST_KDF, sampleObservation, tempDir } from '../testing.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('write batcher', () => {
  it('rolls back exactly the writes of an operation that throws mid-way; companions commit', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
    const { batcher, dbs } = store.context;
    const poison = keyOf(999_999);
    const results = await Promise.allSettled([
      store.addObservations([sampleObservation(1, 'visit-x')]),
      batcher.enqueue((tx) => {
        tx.putRecord('observations', poison, { half: 'written' });
        tx.index(tx.blind('obs.visit', 'visit-x'), poison);
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

  it('writes a record whose append lmdb refuses (a key below the table end) instead of dropping it', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
    const { batcher, dbs } = store.context;
    const body = { note: 'placeholder table accepts any map' };
    await batcher.enqueue((tx) => tx.putRecord('consultations', keyOf(100), body, true));
    // lmdb-js answers a refused append by returning false: the record must still be written.
    await batcher.enqueue((tx) => tx.putRecord('consultations', keyOf(5), body, true));
    expect(dbs.tables.consultations.get(keyOf(5))).toBeDefined();
    expect([...dbs.tables.consultations.getKeys()]).toHaveLength(2);
    await store.close();
  });
});
