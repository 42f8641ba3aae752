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
  await withClientIds(s);
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

const at = '2026-05-01T10:00:00.000Z';
const author = 'tablet A';

/** What the tablet API writes: records made once per client id, journal entries, a request. */
async function withClientIds(s: RecordStore) {
  const p = await s.addPatient({ familyName: 'Клиентова' }, 'client-patient-1');
  const v = await s.openVisit({ patientId: p.id }, 'client-visit-1');
  const [reading] = await s.addObservations([sampleObservation(3, v.id, p.id)]);
  const base = { visitId: v.id, author, enteredAt: at };
  const note = await s.addVisitEntry({ ...base, clientId: 'client-note-1', kind: 'note', text: 'Жалобы' });
  const keep = await s.addVisitEntry({
    ...base,
    clientId: 'client-keep-1',
    kind: 'keep',
    observationId: reading!.id,
  });
  const manual = await s.addVisitEntry(
    { ...base, clientId: 'client-manual-1', kind: 'manual' },
    sampleObservation(4, v.id, p.id),
  );
  const blob = await s.putBlob(
    { kind: 'voice', mediaType: 'audio/webm', visitId: v.id },
    [Buffer.from('voice')],
    'client-blob-1',
  );
  const consult = await s.createConsultation({
    ...base,
    patientId: p.id,
    clientId: 'client-consult-1',
    question: 'Госпитализировать?',
    specialty: 'cardiology',
    urgency: 'urgent',
  });
  return { p, v, reading: reading!, base, note, keep, manual, blob, consult };
}

describe('blind index rebuild', () => {
  it('reproduces exactly the postings the write paths made (the registry and the tables agree)', async () => {
    const s = await everyIndexedTable();
    const ctx = contextOf(s);
    await ctx.batcher.drain();
    const written = postings(ctx);
    expect(written.length).toBeGreaterThan(10);
    const indexed = await ctx.batcher.enqueue(() => rebuildIndex(ctx));
    // 2 patients, 3 visits, 4 observations, 2 attachments, 2 pending outbox items, 4 journal
    // entries, 1 consultation request, 4 tablets.
    expect(indexed).toBe(22);
    expect(postings(ctx)).toEqual(written);
  });

  it('keeps every client-id claim through a rebuild: resends after it are stored once', async () => {
    const s = await temp.open();
    const made = await withClientIds(s);
    const ctx = contextOf(s);
    await ctx.batcher.drain();
    await ctx.batcher.enqueue(() => rebuildIndex(ctx));
    expect((await s.addPatient({ familyName: 'Клиентова' }, 'client-patient-1')).id).toBe(made.p.id);
    expect((await s.openVisit({ patientId: made.p.id }, 'client-visit-1')).id).toBe(made.v.id);
    const again = await s.addVisitEntry({
      ...made.base,
      clientId: 'client-note-1',
      kind: 'note',
      text: 'Жалобы',
    });
    expect(again).toMatchObject({ created: false, entry: { id: made.note.entry.id } });
    // The same reading kept from another tablet (another client id) is still kept once.
    const keptAgain = await s.addVisitEntry({
      ...made.base,
      clientId: 'client-keep-2',
      kind: 'keep',
      observationId: made.reading.id,
    });
    expect(keptAgain).toMatchObject({ created: false, entry: { id: made.keep.entry.id } });
    const blob = await s.putBlob(
      { kind: 'voice', mediaType: 'audio/webm', visitId: made.v.id },
      [Buffer.from('voice')],
      'client-blob-1',
    );
    expect(blob.id).toBe(made.blob.id);
    const consult = await s.createConsultation({
      ...made.base,
      patientId: made.p.id,
      clientId: 'client-consult-1',
      question: 'Госпитализировать?',
      specialty: 'cardiology',
      urgency: 'urgent',
    });
    expect(consult).toMatchObject({ created: false, consultation: { id: made.consult.consultation.id } });
    expect(await s.visitEntries(made.v.id)).toHaveLength(4);
    expect(await s.outboxSize()).toBe(1);
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
