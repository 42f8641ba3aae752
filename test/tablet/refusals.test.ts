import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WirePatient, WireVisit, WireVisitView } from '../../runtime/http/api/wire-types.ts';
import { KitClient } from '../helpers/kit-client.ts';
import { slowUpload } from '../helpers/slow-upload.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';

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
    expect(await kit.store.attachmentsByVisit(visit.id)).toEqual([]);
    expect(await kit.store.observationsByVisit(visit.id)).toEqual([]);
    expect(await kit.store.findPatientsByNamePrefix('Орлов')).toHaveLength(1);
  });

  it('answers an oversized body over the real socket with its JSON refusal, not a hang-up', async () => {
    const patient = (await (
      await send('patients', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ clientId: 'socket-patient', familyName: 'Зайцева' }),
      })
    ).json()) as WirePatient;
    const visit = (await (
      await send('visits', {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ clientId: 'socket-visit', patientId: patient.id }),
      })
    ).json()) as WireVisit;
    const bearer = { authorization: `Bearer ${kit.token}` };
    const entries = `${kit.url}api/visits/${visit.id}/entries`;
    const photo = (clientId: string) =>
      `${kit.url}api/visits/${visit.id}/attachments?kind=photo&clientId=${clientId}` +
      `&enteredAt=${encodeURIComponent(new Date().toISOString())}`;

    // A tablet on slow Wi-Fi that reads the answer only after sending everything: the kit decides
    // at once (the declared length, or no token) and must keep reading what still arrives, or its
    // kernel resets the connection and the answer is lost. Each body takes over a second to send.
    const slow = { pauseMs: 80, ca: kit.caPem } as const;
    const cases = [
      {
        name: 'a 1 MiB note, Content-Length declared',
        run: () =>
          slowUpload({
            ...slow,
            url: entries,
            headers: { ...bearer, ...json },
            pieces: 16,
            pieceBytes: 64 << 10,
          }),
        status: 413,
        error: 'body_too_large',
      },
      {
        name: 'the same asking for Connection: close',
        run: () =>
          slowUpload({
            ...slow,
            url: entries,
            headers: { ...bearer, ...json, connection: 'close' },
            pieces: 16,
            pieceBytes: 64 << 10,
          }),
        status: 413,
        error: 'body_too_large',
      },
      {
        name: 'a 1 MiB note, chunked',
        run: () =>
          slowUpload({
            ...slow,
            url: entries,
            headers: { ...bearer, ...json },
            pieces: 16,
            pieceBytes: 64 << 10,
            chunked: true,
          }),
        status: 413,
        error: 'body_too_large',
      },
      {
        name: 'a 16 MiB photo (the limit is 15 MiB), Content-Length declared',
        run: () =>
          slowUpload({
            ...slow,
            url: photo('socket-photo-1'),
            headers: { ...bearer, 'content-type': 'image/jpeg' },
            pieces: 16,
            pieceBytes: 1 << 20,
          }),
        status: 413,
        error: 'body_too_large',
      },
      {
        // Streamed through the kit's limits (never held whole): cut at 15 MiB, the rest drained.
        name: 'a 16 MiB photo (the limit is 15 MiB), chunked',
        run: () =>
          slowUpload({
            ...slow,
            url: photo('socket-photo-2'),
            headers: { ...bearer, 'content-type': 'image/jpeg' },
            pieces: 16,
            pieceBytes: 1 << 20,
            chunked: true,
          }),
        status: 413,
        error: 'body_too_large',
      },
      {
        name: 'a 1 MiB note without a token',
        run: () => slowUpload({ ...slow, url: entries, headers: json, pieces: 16, pieceBytes: 64 << 10 }),
        status: 401,
        error: 'unauthorized',
      },
    ];
    for (const c of cases) {
      const answer = await c.run();
      expect(answer, c.name).toMatchObject({ ok: true, status: c.status });
      if (!answer.ok) continue;
      expect(answer.headers, c.name).toMatch(/\r\ncontent-type: application\/json/i);
      expect((JSON.parse(answer.body) as { error: string }).error, c.name).toBe(c.error);
    }

    // Node's own HTTPS client sending 10 MiB at once (the whole body written before the answer is read).
    const client = new KitClient(kit.url, kit.caPem);
    const big = JSON.stringify({
      clientId: 'socket-note-big',
      enteredAt: new Date().toISOString(),
      kind: 'note',
      text: 'x'.repeat(10 << 20),
    });
    const node = await client.request(entries, {
      method: 'POST',
      body: big,
      headers: json,
      token: kit.token,
    });
    expect(node.status).toBe(413);
    expect(node.json<{ error: string }>().error).toBe('body_too_large');
    // The connection was not cut: the kit still answers.
    expect((await client.request(`/api/visits/${visit.id}`, { token: kit.token })).status).toBe(200);

    // And Chromium's fetch, trusting the kit CA as a tablet does.
    const tablets = await launchTablets({ trustCaPem: [kit.caPem] });
    try {
      const { page } = await tablets.tablet();
      await page.goto(kit.url);
      const seen = await page.evaluate(
        async ({ url, token }) => {
          const res = await fetch(url, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ clientId: 'socket-note-web', kind: 'note', text: 'x'.repeat(10 << 20) }),
          });
          return { status: res.status, body: (await res.json()) as { error: string } };
        },
        { url: entries, token: kit.token },
      );
      expect(seen).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
    } finally {
      await tablets.close();
    }

    const view = (await (await send(`visits/${visit.id}`, {})).json()) as WireVisitView;
    expect(view.entries).toEqual([]);
    expect(await kit.store.attachmentsByVisit(visit.id)).toEqual([]);
  }, 120_000);
});
