import { IDBFactory } from 'fake-indexeddb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WirePatient, WireVisit } from '../../runtime/http/api/wire-types.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { TabletDb } from '../../pwa/tablet/app/db/tablet-db.ts';
import { createKitApi, KitUnreachable, type KitApi } from '../../pwa/tablet/app/net/api.ts';
import { createSender, type SendResult } from '../../pwa/tablet/app/net/sender.ts';

/**
 * The tablet's sender against a real kit over a real socket, its queue on fake-indexeddb: the
 * answer to a request is lost after the kit stored it (the Wi-Fi dropped on the way back), the
 * item is sent again, and the kit holds it once. A refused item does not hold up the rest.
 */
describe('tablet sender', () => {
  let kit: TabletKit;
  let visit: WireVisit;
  beforeAll(async () => {
    kit = await startTabletKit({ oximeterRateHz: 0.5, bpIntervalMs: 3_600_000 });
    const api = createKitApi({ base: kit.url.slice(0, -1), fetch: kit.fetch });
    const p = await api.send<WirePatient>('POST', '/api/patients', {
      clientId: 'sender-patient',
      familyName: 'Белова',
    });
    visit = await api.send<WireVisit>('POST', '/api/visits', { clientId: 'sender-visit', patientId: p.id });
  });
  afterAll(async () => kit?.dispose());

  const note = (clientId: string, text: string) => ({
    clientId,
    kind: 'entry' as const,
    visitId: visit.id,
    createdAt: new Date().toISOString(),
    body: { clientId, kind: 'note', text, enteredAt: new Date().toISOString() },
    state: 'pending' as const,
    attempts: 0,
  });

  it('resends an item whose answer was lost, and the kit stores it once', async () => {
    const real = createKitApi({ base: kit.url.slice(0, -1), fetch: kit.fetch });
    let lose = 1;
    const lossy: KitApi = {
      ...real,
      send: async <T>(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => {
        const answer = await real.send<T>(method, path, body);
        if (lose-- > 0) throw new KitUnreachable(new Error('answer lost on the way back'));
        return answer;
      },
    };
    const db = await TabletDb.open(new IDBFactory());
    const sent: SendResult[] = [];
    let unreachable = 0;
    const sender = createSender(db, lossy, {
      onQueue: () => undefined,
      onSent: (_i, r) => sent.push(r),
      onUnreachable: () => unreachable++,
    });
    await db.enqueue(note('lost-answer-note-1', 'Давление утром 150/95'));
    await sender.kick();
    expect(unreachable).toBe(1);
    expect((await db.queue())[0]).toMatchObject({ state: 'pending', attempts: 1 });
    await sender.kick();
    sender.stop();
    expect((await db.queue())[0]).toMatchObject({ state: 'sent', attempts: 2 });
    expect(sent).toHaveLength(1);
    const notes = (await kit.store.visitEntries(visit.id)).filter((e) => e.clientId === 'lost-answer-note-1');
    expect(notes).toHaveLength(1);
    db.close();
  });

  it('marks a refused item with the kit’s reason and sends the next one', async () => {
    const db = await TabletDb.open(new IDBFactory());
    const sender = createSender(db, createKitApi({ base: kit.url.slice(0, -1), fetch: kit.fetch }), {
      onQueue: () => undefined,
      onSent: () => undefined,
      onUnreachable: () => undefined,
    });
    await db.enqueue({
      ...note('refused-rr-0001', ''),
      body: {
        clientId: 'refused-rr-0001',
        kind: 'manual',
        measure: { type: 'respiration-rate', value: 500 },
        enteredAt: new Date().toISOString(),
      },
    });
    await db.enqueue(note('after-refusal-1', 'Следующая запись'));
    await sender.kick();
    sender.stop();
    const [refused, next] = await db.queue();
    expect(refused).toMatchObject({ state: 'refused', error: { code: 'invalid_body' } });
    expect(next).toMatchObject({ state: 'sent' });
    db.close();
  });
});
