import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tempStores } from '../../../store/test-fixtures.ts';
import { sampleObservation } from '../../../store/testing.ts';
import type { KitEvent } from '../../events.ts';
import { LiveBus } from '../../live-bus.ts';
import { apiAsTablet, NO_INSTRUMENTS } from './test-tablet.ts';
import type {
  WireEntry,
  WireOutboxItem,
  WirePatient,
  WirePatientSearch,
  WireVisit,
  WireVisitView,
} from './wire-types.ts';

const temp = tempStores();
const stores = () => temp.open();
const at = '2026-05-01T10:00:00.000+03:00';
let seq = 0;
const cid = (p: string) => `${p}-${(++seq).toString().padStart(8, '0')}`;

/**
 * The API in process (Hono's app.request) over a real store in a temp dir: every route, its
 * refusals and its exactly-once behaviour. The socket, the browser and the offline path are in
 * test/tablet/*.test.ts.
 */
async function rig() {
  const store = await stores();
  const bus = new LiveBus<KitEvent>();
  const events: KitEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const api = apiAsTablet({ store, bus, instruments: NO_INSTRUMENTS });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    api.request(path, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await res).json() as Promise<T>;
  return { store, api, bus, events, post, json };
}

async function withVisit() {
  const r = await rig();
  const patient = await r.json<WirePatient>(
    r.post('/patients', {
      clientId: cid('pat'),
      familyName: 'Смирнова',
      givenName: 'Анна',
      middleName: 'Петровна',
      birthDate: '1948-03-02',
      sex: 'female',
      snils: '112-233-445 95',
      oms: '7700 0000 0000 0001',
      address: 'д. Берёзовка, ул. Лесная, 4',
      phone: '+7 (900) 000-00-00',
    }),
  );
  const visit = await r.json<WireVisit>(r.post('/visits', { clientId: cid('vis'), patientId: patient.id }));
  return { ...r, patient, visit };
}

describe('tablet API', () => {
  it('creates a patient once per client id and finds them by name prefix, СНИЛС and полис ОМС', async () => {
    const { post, api, json, store } = await rig();
    const body = {
      clientId: 'patient-0001',
      familyName: 'Ёлкина',
      givenName: 'Ольга',
      snils: '11223344595',
      oms: '7700000000000001',
    };
    const first = await post('/patients', body);
    expect(first.status).toBe(201);
    const again = await json<WirePatient>(post('/patients', body));
    const p = (await first.json()) as WirePatient;
    expect(again.id).toBe(p.id);
    expect(p).toMatchObject({ snils: '11223344595', oms: '7700000000000001', sex: 'unknown' });
    const search = async (q: string) =>
      (await json<WirePatientSearch>(api.request(`/patients?q=${encodeURIComponent(q)}`))).patients.map(
        (x) => x.id,
      );
    expect(await search('ёлк')).toEqual([p.id]);
    expect(await search('Елкина Оль')).toEqual([p.id]);
    expect(await search('112-233-445 95')).toEqual([p.id]);
    expect(await search('7700 0000 0000 0001')).toEqual([p.id]);
    expect(await search('Иванов')).toEqual([]);
    expect(await search('1')).toEqual([]);
    expect(await store.findPatientsByNamePrefix('Ёл')).toHaveLength(1);
  });

  it('refuses a bad СНИЛС, bad JSON, a non-JSON body and an oversized body, as JSON, storing nothing', async () => {
    const { post, api, store } = await rig();
    const bad = await post('/patients', {
      clientId: 'patient-0002',
      familyName: 'Петров',
      snils: '112-233-445 96',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_body', issues: [{ path: 'snils' }] });
    const malformed = await post('/patients', '{"clientId": "patient-0003", "familyName": "Пет');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'malformed_json' });
    const text = await post('/patients', 'familyName=Петров', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(await text.json()).toMatchObject({ error: 'unsupported_media_type' });
    const missing = await api.request('/visits/v-00000000000000aa');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: 'not_found' });
    expect(await store.findPatientsByNamePrefix('Пет')).toEqual([]);
  });

  it('journals complaints, notes, manual vitals and kept readings once, publishing each new entry live', async () => {
    const { post, api, json, store, events, visit, patient } = await withVisit();
    const [live] = await store.addObservations([sampleObservation(3, null, null)]);
    const send = (body: object) => post(`/visits/${visit.id}/entries`, { enteredAt: at, ...body });
    const bodies = [
      { clientId: cid('ent'), kind: 'complaints', text: 'Одышка при ходьбе, отёки ног' },
      { clientId: cid('ent'), kind: 'note', text: 'Живёт одна, соседка рядом' },
      { clientId: cid('ent'), kind: 'manual', measure: { type: 'respiration-rate', value: 24 } },
      { clientId: cid('ent'), kind: 'manual', measure: { type: 'consciousness', value: 'C' } },
      { clientId: cid('ent'), kind: 'manual', measure: { type: 'oxygen', onOxygen: true, flowLpm: 2 } },
      { clientId: cid('ent'), kind: 'manual', measure: { type: 'temperature', value: 38.46 } },
      { clientId: cid('ent'), kind: 'keep', observationId: live!.id },
    ];
    for (const b of bodies) expect((await send(b)).status).toBe(201);
    // The same requests again (a tablet resending after a lost answer), and one keep from another tablet.
    for (const b of bodies) expect((await send(b)).status).toBe(200);
    expect((await send({ clientId: cid('ent'), kind: 'keep', observationId: live!.id })).status).toBe(200);
    const view = await json<WireVisitView>(api.request(`/visits/${visit.id}`));
    expect(view.patient?.id).toBe(patient.id);
    expect(view.entries.map((e) => e.kind)).toEqual([
      'complaints',
      'note',
      'manual',
      'manual',
      'manual',
      'manual',
      'keep',
    ]);
    const values = view.entries.flatMap((e) =>
      e.observation ? [[e.observation.loinc, e.observation.value]] : [],
    );
    expect(values).toEqual([
      ['9279-1', 24],
      ['67775-7', 1],
      ['3151-8', 2],
      ['8310-5', 38.5],
      ['59408-5', live!.value!.kind === 'quantity' ? live!.value!.value : null],
    ]);
    const manual = view.entries[2]!.observation!;
    expect(manual).toMatchObject({
      visitId: visit.id,
      deviceId: 'tablet:t-0000000000000001',
      effectiveAt: at,
    });
    expect(await store.observationsByVisit(visit.id)).toHaveLength(4);
    const published = events.flatMap((e) =>
      e.type === 'visit' && e.change.kind === 'entry' ? [e.change.entry.id] : [],
    );
    expect(published).toEqual(view.entries.map((e) => e.id));
  });

  it('answers any body with 201 or a typed 4xx, never a 500, and stores exactly the accepted ones (fuzzed)', async () => {
    const { post, store, visit } = await withVisit();
    let n = 0;
    const body = fc.oneof(
      fc.json(),
      fc
        .record({
          clientId: fc.oneof(fc.string({ maxLength: 12 }), fc.constant('x'), fc.constant('')),
          enteredAt: fc.oneof(fc.string(), fc.constant(at)),
          kind: fc.constantFrom('note', 'manual', 'keep', 'complaints', 'other'),
          text: fc.oneof(fc.constant(''), fc.constant('  '), fc.string({ maxLength: 3 }), fc.integer()),
          measure: fc.record({
            type: fc.constantFrom('respiration-rate', 'oxygen', 'temperature', 'x'),
            value: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.string()),
            onOxygen: fc.boolean(),
          }),
          observationId: fc.oneof(fc.string(), fc.constant('o-00000000000000ff')),
        })
        // Some of these are valid on purpose (a fresh valid client id half of the time).
        .chain((o) =>
          fc
            .boolean()
            .map((fresh) =>
              JSON.stringify(fresh ? { ...o, clientId: `fuzz-${(n++).toString().padStart(6, '0')}` } : o),
            ),
        ),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await post(`/visits/${visit.id}/entries`, b);
        expect([201, 400, 404, 409]).toContain(res.status);
        const answer = (await res.json()) as { error?: string; id?: string };
        if (res.status === 201) accepted++;
        else expect(answer.error).toBeTruthy();
      }),
      { numRuns: 200 },
    );
    expect(await store.visitEntries(visit.id)).toHaveLength(accepted);
  });

  it('stores a photo and a voice note once each, refuses oversized and mistyped uploads, and streams them back', async () => {
    const { api, json, store, visit } = await withVisit();
    const photo = new Uint8Array(200_000).map((_, i) => (i * 31) & 0xff);
    const upload = (
      kind: string,
      bytes: Uint8Array<ArrayBuffer>,
      type: string,
      clientId: string,
      headers: Record<string, string> = {},
    ) =>
      api.request(
        `/visits/${visit.id}/attachments?kind=${kind}&clientId=${clientId}&enteredAt=${encodeURIComponent(at)}`,
        {
          method: 'POST',
          body: bytes,
          headers: { 'content-type': type, ...headers },
        },
      );
    const first = await upload('photo', photo, 'image/jpeg', 'photo-00000001');
    expect(first.status).toBe(201);
    expect((await upload('photo', photo, 'image/jpeg', 'photo-00000001')).status).toBe(200);
    const entry = (await first.json()) as WireEntry;
    // The API is mounted at the root here; the kit mounts it under /api.
    const got = await api.request(entry.attachment!.url.replace(/^\/api/, ''));
    expect(got.headers.get('content-type')).toBe('image/jpeg');
    const back = new Uint8Array(await got.arrayBuffer());
    expect(back.byteLength).toBe(photo.byteLength);
    expect(Buffer.from(back).equals(Buffer.from(photo))).toBe(true);
    const voice = await upload(
      'voice',
      Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3),
      'audio/webm;codecs=opus',
      'voice-00000001',
    );
    expect(voice.status).toBe(201);
    expect(((await voice.json()) as WireEntry).attachment?.mediaType).toBe('audio/webm;codecs=opus');

    const declared = await upload('voice', Uint8Array.of(1), 'audio/webm', 'voice-00000002', {
      'content-length': String(11 * 1024 * 1024),
    });
    expect(declared.status).toBe(413);
    // No declared length: refused as the bytes pass the limit.
    const big = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < 11; i++) ctl.enqueue(new Uint8Array(1024 * 1024));
        ctl.close();
      },
    });
    const streamed = await api.request(
      `/visits/${visit.id}/attachments?kind=voice&clientId=voice-00000003&enteredAt=${encodeURIComponent(at)}`,
      { method: 'POST', body: big, headers: { 'content-type': 'audio/webm' }, duplex: 'half' } as RequestInit,
    );
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ error: 'body_too_large' });
    const mistyped = await upload('photo', photo, 'application/pdf', 'photo-00000002');
    expect(mistyped.status).toBe(415);
    const view = await json<WireVisitView>(api.request(`/visits/${visit.id}`));
    expect(view.entries.map((e) => e.attachment?.kind)).toEqual(['photo', 'voice']);
    expect(await store.attachmentsByVisit(visit.id)).toHaveLength(2);
  });

  it('queues an urgent consultation request once and shows it stored on the kit, waiting for the link', async () => {
    const { post, api, json, store, visit } = await withVisit();
    const [reading] = await store.addObservations([sampleObservation(1, null, null)]);
    await post(`/visits/${visit.id}/entries`, {
      clientId: cid('ent'),
      enteredAt: at,
      kind: 'keep',
      observationId: reading!.id,
    });
    const body = {
      clientId: cid('con'),
      enteredAt: at,
      question: 'NEWS2 7. Направить в стационар?',
      specialty: 'therapy',
      urgency: 'urgent',
      observationIds: [reading!.id],
      news2Total: 7,
    };
    const res = await post(`/visits/${visit.id}/consultations`, body);
    expect(res.status).toBe(201);
    expect((await post(`/visits/${visit.id}/consultations`, body)).status).toBe(200);
    const entry = (await res.json()) as WireEntry;
    expect(entry.consultation).toMatchObject({
      urgency: 'urgent',
      delivery: { state: 'stored', linkPresent: false },
    });
    const outbox = await json<{ items: WireOutboxItem[]; linkPresent: boolean }>(api.request('/outbox'));
    expect(outbox.linkPresent).toBe(false);
    expect(outbox.items).toHaveLength(1);
    expect(outbox.items[0]).toMatchObject({
      priority: 'urgent',
      consultationId: entry.consultation!.id,
      visitId: visit.id,
    });
    const unknownRef = await post(`/visits/${visit.id}/consultations`, {
      ...body,
      clientId: cid('con'),
      attachmentIds: ['a-00000000000000ff'],
    });
    expect(unknownRef.status).toBe(404);
    expect(await store.outboxSize()).toBe(1);
  });

  it('answers 501 not_available for pairing on a kit that cannot bond, and says so in the list', async () => {
    const { api, post, json } = await rig();
    expect((await api.request('/instruments')).status).toBe(200);
    expect(await json(api.request('/instruments/pairings'))).toEqual({ supported: false, sessions: [] });
    const pair = await post('/instruments/pair', { id: 'dev-1' });
    expect(pair.status).toBe(501);
    expect(await pair.json()).toMatchObject({ error: 'not_available' });
    expect((await post('/instruments/pairings/p1/answer', { passkey: 123456 })).status).toBe(501);
    expect((await post('/instruments/pairings/p1/cancel', {})).status).toBe(501);
    // Forgetting is not pairing: an instrument never remembered is simply not found.
    expect((await post('/instruments/forget', { id: 'dev-1' })).status).toBe(404);
  });
});
