import { describe, expect, it } from 'vitest';
import { keyOf } from '../engine/ids.ts';
import { sampleObservation } from '../testing.ts';
import { contextOf } from '../record-store.ts';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();

async function auditedStore() {
  const store = await temp.open({ actor: 'nurse-1' });
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
    // Reading the log is itself recorded (who looked at who saw what).
    expect(await store.verifyAudit()).toEqual({ ok: true, entries: 5 });
    const [last] = await store.readAudit(5);
    expect(last).toMatchObject({ actor: 'nurse-1', action: 'read', table: 'audit' });
    expect(last?.recordIds).toEqual(entries.map((e) => e.id));
    await store.close();
  });

  it('names the first broken link when an entry is deleted', async () => {
    const store = await auditedStore();
    await contextOf(store).dbs.tables.audit.remove(keyOf(2));
    const verdict = await store.verifyAudit();
    expect(verdict.ok).toBe(false);
    expect(verdict.firstBroken?.seq).toBe(2);
    await store.close();
  });

  it('names the first broken link when an entry is altered', async () => {
    const store = await auditedStore();
    const audit = contextOf(store).dbs.tables.audit;
    const value = Buffer.from(audit.get(keyOf(3)) ?? []);
    value[value.length - 1] = (value[value.length - 1] ?? 0) ^ 0xff;
    await audit.put(keyOf(3), value);
    expect((await store.verifyAudit()).firstBroken).toMatchObject({ seq: 3 });
    await store.close();
  });

  it('notices a cut-off tail through the chain head', async () => {
    const store = await auditedStore();
    await contextOf(store).dbs.tables.audit.remove(keyOf(4));
    expect((await store.verifyAudit()).firstBroken?.seq).toBe(4);
    await store.close();
  });
});
