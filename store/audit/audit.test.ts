import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { keyOf } from '../engine/ids.ts';
import { TEST_KDF, sampleObservation, tempDir } from '../testing.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function auditedStore() {
  const t = tempDir();
  cleanups.push(t.cleanup);
  const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF, actor: 'nurse-1' });
  const p = await store.addPatient({ familyName: 'Орлова' });
  await store.getPatient(p.id);
  await store.addObservations([sampleObservation(1)]);
  await store.addObservations([sampleObservation(2)]);
  return store;
}

describe('audit log', () => {
  it('records who created and read which record, in a verifying chain', async () => {
    const store = await auditedStore();
    const entries = await store.readAudit();
    expect(entries.map((e) => [e.actor, e.action, e.table])).toEqual([
      ['nurse-1', 'create', 'patients'],
      ['nurse-1', 'read', 'patients'],
      ['nurse-1', 'create', 'observations'],
      ['nurse-1', 'create', 'observations'],
    ]);
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 4 });
    await store.close();
  });

  it('names the first broken link when an entry is deleted', async () => {
    const store = await auditedStore();
    await store.context.dbs.tables.audit.remove(keyOf(2));
    const verdict = await store.verifyAudit();
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBroken?.seq).toBe(2);
    await store.close();
  });

  it('names the first broken link when an entry is altered', async () => {
    const store = await auditedStore();
    const audit = store.context.dbs.tables.audit;
    const value = Buffer.from(audit.get(keyOf(3)) ?? []);
    value[value.length - 1] = (value[value.length - 1] ?? 0) ^ 0xff;
    await audit.put(keyOf(3), value);
    expect((await store.verifyAudit()).firstBroken).toMatchObject({ seq: 3 });
    await store.close();
  });

  it('notices a cut-off tail through the chain head', async () => {
    const store = await auditedStore();
    await store.context.dbs.tables.audit.remove(keyOf(4));
    expect((await store.verifyAudit()).firstBroken?.seq).toBe(4);
    await store.close();
  });
});
