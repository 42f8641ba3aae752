import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WirePatient, WireVisit, WireVisitView } from '../../runtime/http/api/wire-types.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';

/**
 * Refusals over the kit's real HTTPS: no token 401, a coordinator writing in a visit 403,
 * oversized bodies 413, malformed ones 400, each answered as JSON, and nothing stored by any of
 * them. (Every API route's 401/403 is enumerated in runtime/http/app-auth.test.ts.)
 */
describe('the kit refuses bad requests and stores nothing', () => {
  let kit: TabletKit;
  beforeAll(async () => {
    kit = await startTabletKit({ enabled: true, oximeterRateHz: 1, bpIntervalMs: 60_000 });
  });
  afterAll(async () => kit?.dispose());

  const send = (path: string, init: RequestInit) => kit.fetch(`${kit.url}api/${path}`, init);
  const json = { 'content-type': 'application/json' };

  it('answers 413 and 400 as JSON and leaves the store as it was', async () => {
    const patient = (await (
      await send('patients', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ clientId: 'refusal-patient', familyName: 'Орлова' }),
      })
    ).json()) as WirePatient;
    const visit = (await (
      await send('visits', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ clientId: 'refusal-visit', patientId: patient.id }),
      })
    ).json()) as WireVisit;

    // A coordinator tablet (it pairs tablets; it does not write in visits).
    const paired = await send('pair', {
      method: 'POST',
      headers: { ...json, authorization: '' },
      body: JSON.stringify({ code: await kit.pairingCode('coordinator'), name: 'Координатор' }),
    });
    expect(paired.status).toBe(201);
    const coordinator = `Bearer ${((await paired.json()) as { token: string }).token}`;
    const note = (clientId: string) =>
      JSON.stringify({ clientId, enteredAt: new Date().toISOString(), kind: 'note', text: 'текст' });

    const cases: { name: string; path: string; init: RequestInit; status: number; error: string }[] = [
      {
        name: 'a note without a token',
        path: `visits/${visit.id}/entries`,
        init: { method: 'POST', headers: { ...json, authorization: '' }, body: note('refusal-anon-1') },
        status: 401,
        error: 'unauthorized',
      },
      {
        name: 'a note with a made-up token',
        path: `visits/${visit.id}/entries`,
        init: {
          method: 'POST',
          headers: { ...json, authorization: `Bearer fkt_${'A'.repeat(43)}` },
          body: note('refusal-anon-2'),
        },
        status: 401,
        error: 'unauthorized',
      },
      {
        name: 'a note from a coordinator tablet',
        path: `visits/${visit.id}/entries`,
        init: {
          method: 'POST',
          headers: { ...json, authorization: coordinator },
          body: note('refusal-coord-1'),
        },
        status: 403,
        error: 'forbidden',
      },
      {
        name: 'an oversized note',
        path: `visits/${visit.id}/entries`,
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            clientId: 'refusal-note-1',
            enteredAt: new Date().toISOString(),
            kind: 'note',
            text: 'x'.repeat(70_000),
          }),
        },
        status: 413,
        error: 'body_too_large',
      },
      {
        name: 'a malformed note',
        path: `visits/${visit.id}/entries`,
        init: {
          method: 'POST',
          headers: json,
          body: '{"clientId": "refusal-note-2", "kind": "note", "text": ',
        },
        status: 400,
        error: 'malformed_json',
      },
      {
        name: 'a respiration rate of 500',
        path: `visits/${visit.id}/entries`,
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({
            clientId: 'refusal-rr-1',
            enteredAt: new Date().toISOString(),
            kind: 'manual',
            measure: { type: 'respiration-rate', value: 500 },
          }),
        },
        status: 400,
        error: 'invalid_body',
      },
      {
        name: 'a patient with a wrong СНИЛС',
        path: 'patients',
        init: {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ clientId: 'refusal-patient-2', familyName: 'Орлов', snils: '11223344596' }),
        },
        status: 400,
        error: 'invalid_body',
      },
    ];
    for (const c of cases) {
      const res = await send(c.path, c.init);
      expect(res.status, c.name).toBe(c.status);
      expect(res.headers.get('content-type'), c.name).toMatch(/^application\/json/);
      expect(((await res.json()) as { error: string }).error, c.name).toBe(c.error);
    }

    const view = (await (await send(`visits/${visit.id}`, {})).json()) as WireVisitView;
    expect(view.entries).toEqual([]);
    // (An oversized upload is refused in process by runtime/http/api/api.test.ts: over the socket
    // the kit answers 413 and closes the connection while the client still sends, which Node's
    // client reports as a hang-up.)
    expect(await kit.store.attachmentsByVisit(visit.id)).toEqual([]);
    expect(await kit.store.observationsByVisit(visit.id)).toEqual([]);
    expect(await kit.store.findPatientsByNamePrefix('Орлов')).toHaveLength(1);
  });
});
