import { describe, expect, it } from 'vitest';
import type { RecordStore } from './index.ts';
import { sampleObservation } from './testing.ts';
import { tempStores } from './test-fixtures.ts';

const temp = tempStores();

/** Ids of every audited read of `table` so far, in order. */
async function readsOf(store: RecordStore, table: string): Promise<string[]> {
  const entries = await store.readAudit(1, 100_000);
  return entries.filter((e) => e.action === 'read' && e.table === table).flatMap((e) => e.recordIds);
}

/** Runs `read` and returns the ids its audit entry names (the reads of `table` it added). */
async function auditedBy(store: RecordStore, table: string, read: () => Promise<unknown>): Promise<string[]> {
  const before = await readsOf(store, table);
  await read();
  return (await readsOf(store, table)).slice(before.length);
}

async function drain(source: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const piece of source) void piece;
}

describe('every read path writes an audit entry', () => {
  it('patients: by id, by name prefix, by document', async () => {
    const s = await temp.open();
    const p = await s.addPatient({ familyName: 'Соколова', documents: [{ kind: 'oms', number: '55 01' }] });
    expect(await auditedBy(s, 'patients', () => s.getPatient(p.id))).toEqual([p.id]);
    expect(await auditedBy(s, 'patients', () => s.findPatientsByNamePrefix('сок'))).toEqual([p.id]);
    expect(await auditedBy(s, 'patients', () => s.findPatientByDocument('5501'))).toEqual([p.id]);
  });

  it('visits: by id, by patient, opened between', async () => {
    const s = await temp.open();
    const v = await s.openVisit({ patientId: 'p-x' });
    expect(await auditedBy(s, 'visits', () => s.getVisit(v.id))).toEqual([v.id]);
    expect(await auditedBy(s, 'visits', () => s.visitsByPatient('p-x'))).toEqual([v.id]);
    expect(await auditedBy(s, 'visits', () => s.visitsOpenedBetween())).toEqual([v.id]);
    expect(
      await auditedBy(s, 'visits', () => s.visitIdsOpenedBetween(undefined, undefined, { limit: 5 })),
    ).toEqual([v.id]);
  });

  it('visits opened between, a page at a time: the same visits as the whole scan, the bounds kept', async () => {
    const s = await temp.open();
    const at = (h: number) => new Date(Date.UTC(2026, 5, 1, h)).toISOString();
    // Opened out of order, so the time filter (not the table order) decides.
    const hours = [9, 3, 14, 7, 20, 11, 5];
    for (const h of hours) await s.openVisit({ patientId: null, openedAt: at(h) });
    const from = new Date(at(5));
    const to = new Date(at(14));
    const whole = (await s.visitsOpenedBetween(from, to)).map((v) => v.id);
    expect(whole).toHaveLength(4);
    for (const limit of [1, 2, 3, 7, 50]) {
      const ids: string[] = [];
      let after: string | undefined;
      let pages = 0;
      do {
        const page = await s.visitIdsOpenedBetween(from, to, { after, limit });
        ids.push(...page.ids);
        after = page.next;
        pages++;
      } while (after !== undefined);
      expect(ids).toEqual(whole);
      expect(pages).toBe(Math.floor(hours.length / limit) + 1);
    }
  });

  it('observations: by id, recent, by visit, by patient, by time', async () => {
    const s = await temp.open();
    const [o] = await s.addObservations([sampleObservation(0, 'v-9', 'p-9')]);
    const id = o?.id ?? '';
    const at = new Date(o?.effectiveAt ?? 0);
    expect(await auditedBy(s, 'observations', () => s.getObservation(id))).toEqual([id]);
    expect(await auditedBy(s, 'observations', () => s.recentObservations(5))).toEqual([id]);
    expect(await auditedBy(s, 'observations', () => s.observationsByVisit('v-9'))).toEqual([id]);
    expect(await auditedBy(s, 'observations', () => s.observationsByPatient('p-9'))).toEqual([id]);
    const between = () => s.observationsBetween(new Date(at.getTime() - 1000), new Date(at.getTime() + 1000));
    expect(await auditedBy(s, 'observations', between)).toEqual([id]);
  });

  it('attachments: metadata by id, by visit, and the blob itself', async () => {
    const s = await temp.open();
    const a = await s.putBlob({ kind: 'photo', mediaType: 'image/jpeg', visitId: 'v-3' }, [
      Buffer.from('jpeg'),
    ]);
    expect(await auditedBy(s, 'attachments', () => s.getAttachment(a.id))).toEqual([a.id]);
    expect(await auditedBy(s, 'attachments', () => s.attachmentsByVisit('v-3'))).toEqual([a.id]);
    expect(await auditedBy(s, 'attachments', () => drain(s.readBlob(a.id)))).toEqual([a.id]);
  });

  it('outbox: peek and by id', async () => {
    const s = await temp.open();
    const item = await s.enqueueOutbox({ priority: 'high', kind: 'ecg', payload: Buffer.from('x') });
    expect(await auditedBy(s, 'outbox', () => s.peekOutbox())).toEqual([item.id]);
    expect(await auditedBy(s, 'outbox', () => s.getOutboxItem(item.id))).toEqual([item.id]);
  });

  it('audit: reading the log is itself logged', async () => {
    const s = await temp.open();
    await s.addPatient({ familyName: 'Ким' });
    const read = await s.readAudit();
    const entries = await s.readAudit(1, 100);
    expect(entries.at(-1)).toMatchObject({
      action: 'read',
      table: 'audit',
      recordIds: read.map((e) => e.id),
    });
  });
});
