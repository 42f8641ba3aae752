import { describe, expect, it } from 'vitest';
import { DamageReport, StoreError } from '../index.ts';
import { keyOfId } from '../engine/ids.ts';
import { sealPlain, sealRecord } from '../engine/record-seal.ts';
import { contextOf } from '../record-store.ts';
import { sampleObservation } from '../testing.ts';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();

async function storeWithThree() {
  const store = await temp.open();
  const saved = await store.addObservations([
    sampleObservation(1),
    sampleObservation(2),
    sampleObservation(3),
  ]);
  return { store, ids: saved.map((o) => o.id) };
}

/** Edits one stored value in place, as a disk fault or an attacker would. */
async function tamper(store: Awaited<ReturnType<typeof temp.open>>, id: string, edit: (v: Buffer) => Buffer) {
  const db = contextOf(store).dbs.tables.observations;
  const key = keyOfId('o', id, 'observations');
  const value = db.get(key);
  if (!value) throw new Error('no such record');
  await db.put(key, edit(Buffer.from(value)));
}

const flip = (at: (v: Buffer) => number) => (v: Buffer) => {
  const i = at(v);
  v[i] = (v[i] ?? 0) ^ 0x01;
  return v;
};

async function errorOf(p: Promise<unknown>): Promise<StoreError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(StoreError);
  return e as StoreError;
}

describe('integrity', () => {
  it('lists every readable record and names the damaged one; a read of it by id throws naming it', async () => {
    const { store, ids } = await storeWithThree();
    await tamper(
      store,
      ids[1] ?? '',
      flip((v) => v.length - 20),
    );
    const damage = new DamageReport();
    const rest = await store.recentObservations(10, damage);
    expect(rest.map((o) => o.id)).toEqual([ids[2], ids[0]]);
    expect(damage.count).toBe(1);
    expect(damage.records).toEqual([{ table: 'observations', id: ids[1], code: 'integrity' }]);
    // Without a report the list still returns the rest, and the store remembers the damage.
    expect((await store.observationsByVisit('v-1')).map((o) => o.id)).toEqual([ids[0], ids[2]]);
    expect(store.damaged).toEqual({
      count: 1,
      records: [{ table: 'observations', id: ids[1], code: 'integrity' }],
    });
    const error = await errorOf(store.getObservation(ids[1] ?? ''));
    expect(error.code).toBe('integrity');
    expect(error.table).toBe('observations');
    expect(error.recordId).toBe(ids[1]);
    expect(error.message).toContain(ids[1]);
  });

  it('treats a flipped schema-version byte as tampering (the header is authenticated)', async () => {
    const { store, ids } = await storeWithThree();
    await tamper(
      store,
      ids[0] ?? '',
      flip(() => 2),
    );
    expect((await errorOf(store.getObservation(ids[0] ?? ''))).code).toBe('integrity');
  });

  it('reports a truncated record as corrupt_record', async () => {
    const { store, ids } = await storeWithThree();
    await tamper(store, ids[2] ?? '', (v) => v.subarray(0, 20));
    const damage = new DamageReport();
    expect(await store.recentObservations(1, damage)).toEqual([]);
    expect(damage.records).toEqual([{ table: 'observations', id: ids[2], code: 'corrupt_record' }]);
  });

  it('reports undecodable CBOR inside a valid envelope as corrupt_record', async () => {
    const { store, ids } = await storeWithThree();
    const ctx = contextOf(store);
    const key = keyOfId('o', ids[0] ?? '', 'observations');
    const garbage = Uint8Array.from([0xbf, 0x61, 0x61, 0x1c]); // indefinite map, reserved additional info
    await ctx.dbs.tables.observations.put(key, sealPlain(ctx.keyring, 'observations', key, 1, garbage));
    const damage = new DamageReport();
    expect(await store.observationsByVisit('v-1', damage)).toHaveLength(2);
    expect(damage.records).toEqual([{ table: 'observations', id: ids[0], code: 'corrupt_record' }]);
  });

  it('reports a schema version from the future as unknown_schema', async () => {
    const { store, ids } = await storeWithThree();
    const ctx = contextOf(store);
    const key = keyOfId('o', ids[0] ?? '', 'observations');
    await ctx.dbs.tables.observations.put(key, sealRecord(ctx.keyring, 'observations', key, 7, { a: 1 }));
    const error = await errorOf(store.getObservation(ids[0] ?? ''));
    expect(error.code).toBe('unknown_schema');
    expect(error.message).toContain('version 7');
  });

  it('refuses a record moved under another id (AAD binds the record id)', async () => {
    const { store, ids } = await storeWithThree();
    const db = contextOf(store).dbs.tables.observations;
    const a = keyOfId('o', ids[0] ?? '', 'observations');
    const b = keyOfId('o', ids[1] ?? '', 'observations');
    const moved = db.get(a);
    if (!moved) throw new Error('missing');
    await db.put(b, moved);
    const damage = new DamageReport();
    expect((await store.recentObservations(10, damage)).map((o) => o.id)).toEqual([ids[2], ids[0]]);
    expect(damage.records).toEqual([{ table: 'observations', id: ids[1], code: 'integrity' }]);
  });

  it('does not answer "no such patient" when the patient holding the document is damaged', async () => {
    const store = await temp.open();
    const p = await store.addPatient({
      familyName: 'Лебедева',
      documents: [{ kind: 'oms', number: '77 12' }],
    });
    const ctx = contextOf(store);
    const key = keyOfId('p', p.id, 'patients');
    const value = Buffer.from(ctx.dbs.tables.patients.get(key) ?? []);
    value[value.length - 3] = (value[value.length - 3] ?? 0) ^ 0x40;
    await ctx.dbs.tables.patients.put(key, value);
    expect((await errorOf(store.findPatientByDocument('7712'))).recordId).toBe(p.id);
    expect(await store.findPatientByDocument('0000')).toBeUndefined();
    const damage = new DamageReport();
    expect(await store.findPatientsByNamePrefix('Леб', damage)).toEqual([]);
    expect(damage.ids).toEqual([p.id]);
  });
});
