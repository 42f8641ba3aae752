import { describe, expect, it } from 'vitest';
import type { RecordStore } from '../index.ts';
import type { StoreContext } from '../engine/context.ts';
import { META } from '../engine/db.ts';
import { contextOf } from '../record-store.ts';
import { sampleObservation } from '../testing.ts';
import { tempStores } from '../test-fixtures.ts';
import { BLIND_TAGS } from '../tables/blind-index.ts';
import { INDEX_VERSION, rebuildIndex } from './reindex.ts';

const temp = tempStores();

/** Every (term, record key) posting of the index, whatever commit grouped it. */
function postings(ctx: StoreContext): string[] {
  const out: string[] = [];
  for (const { key, value } of ctx.dbs.index.getRange({})) {
    const term = Buffer.from(key).subarray(0, 16).toString('hex');
    const v = Buffer.from(value);
    for (let i = 0; i < v.byteLength; i += 8) out.push(`${term}:${v.subarray(i, i + 8).toString('hex')}`);
  }
  return out.sort();
}

/** A store with a record of every indexed table, written and changed through the public API. */
async function everyIndexedTable(): Promise<RecordStore> {
  const s = await temp.open();
  const p = await s.addPatient({
    familyName: 'Ёлкина-Петрова',
    givenName: 'Анна',
    documents: [{ kind: 'oms', number: '12 34' }],
  });
  await s.updatePatient(p.id, {
    familyName: 'Ёлкина',
    givenName: 'Анна Мария',
    documents: [{ kind: 'passport', number: '4510 123456' }],
  });
  const v = await s.openVisit({ patientId: p.id });
  await s.openVisit({ patientId: null });
  await s.closeVisit(v.id);
  await s.addObservations([sampleObservation(1, v.id, p.id), sampleObservation(2, null, null)]);
  await s.putBlob({ kind: 'photo', mediaType: 'image/jpeg', visitId: v.id }, [Buffer.from('jpeg')]);
  const sent = await s.enqueueOutbox({ priority: 'urgent', kind: 'ecg', payload: Buffer.from('a') });
  await s.enqueueOutbox({ priority: 'low', kind: 'ecg', payload: Buffer.from('b') });
  await s.ackOutbox(sent.id);
  // Tablets: a pending code, a paired tablet, a cancelled code and a revoked tablet.
  await s.createPairingCode({ role: 'feldsher', createdBy: 'test' });
  const paired = await s.createPairingCode({ role: 'doctor', createdBy: 'test' });
  await s.redeemPairingCode(paired.code, 'tablet');
  await s.revokeTablet((await s.createPairingCode({ role: 'doctor', createdBy: 'test' })).tablet.id);
  const revoked = await s.createPairingCode({ role: 'coordinator', createdBy: 'test' });
  await s.redeemPairingCode(revoked.code, 'old tablet');
  await s.revokeTablet(revoked.tablet.id);
  return s;
}

describe('blind index rebuild', () => {
  it('reproduces exactly the postings the write paths made (the registry and the tables agree)', async () => {
    const s = await everyIndexedTable();
    const ctx = contextOf(s);
    await ctx.batcher.drain();
    const written = postings(ctx);
    expect(written.length).toBeGreaterThan(10);
    const indexed = await ctx.batcher.enqueue(() => rebuildIndex(ctx));
    // 1 patient, 2 visits, 2 observations, 1 attachment, 1 pending outbox item, 4 tablets
    expect(indexed).toBe(11);
    expect(postings(ctx)).toEqual(written);
  });

  it('re-indexes a store written under the old tags when it is opened, and lookups find it again', async () => {
    const s = await temp.open();
    const p = await s.addPatient({ familyName: 'Никитин' });
    const [o] = await s.addObservations([sampleObservation(1, 'v-7', p.id)]);
    const ctx = contextOf(s);
    await ctx.batcher.drain();
    // As the previous build wrote it: per-module tags, and no index version in meta.
    const old = { visit: 'obs.visit', patient: 'obs.patient', hour: 'obs.hour', name: 'pat.name' } as const;
    await ctx.batcher.enqueue(() => {
      for (const key of [...ctx.dbs.index.getKeys({})]) ctx.dbs.index.removeSync(key);
      const put = (tag: string, value: string, key: Buffer) =>
        ctx.dbs.index.putSync(Buffer.concat([ctx.keyring.blind(tag, value), key]), key);
      const oKey = Buffer.from((o?.id ?? '').slice(2), 'hex');
      const pKey = Buffer.from(p.id.slice(2), 'hex');
      put(old.visit, 'v-7', oKey);
      put(old.patient, p.id, oKey);
      put(old.hour, (o?.effectiveAt ?? '').slice(0, 13), oKey);
      for (const prefix of ['ни', 'ник', 'ники', 'никит', 'никити', 'никитин']) put(old.name, prefix, pKey);
      ctx.dbs.meta.removeSync(META.indexVersion);
    });
    // Under the current tags nothing is found until the index is rebuilt.
    expect(await s.observationsByVisit('v-7')).toEqual([]);
    await s.close();
    const again = await temp.reopen(s.path);
    expect((await again.observationsByVisit('v-7')).map((x) => x.id)).toEqual([o?.id]);
    expect((await again.findPatientsByNamePrefix('Ники')).map((x) => x.id)).toEqual([p.id]);
    expect(Buffer.from(contextOf(again).dbs.meta.get(META.indexVersion) ?? []).readUInt32BE(0)).toBe(
      INDEX_VERSION,
    );
    expect((await again.check()).ok).toBe(true);
  });

  it('keeps every record of a posting entry when its first record is re-indexed under an unchanged term', async () => {
    const s = await temp.open();
    // Created in one commit: one posting entry per name term, keyed by the first patient.
    const [a, b] = await Promise.all([
      s.addPatient({ familyName: 'Орлов' }),
      s.addPatient({ familyName: 'Орлова' }),
    ]);
    await s.updatePatient(a.id, { familyName: 'Орлов', phone: '+7 900 000 00 00' });
    expect((await s.findPatientsByNamePrefix('Орлов')).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
  });

  it('names tags <table>.<field> in kebab case, one registry for every indexed table', () => {
    for (const [table, fields] of Object.entries(BLIND_TAGS))
      for (const [field, tag] of Object.entries(fields))
        expect(tag).toBe(`${table}.${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
  });
});
