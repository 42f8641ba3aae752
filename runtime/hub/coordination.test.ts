import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../crypto/bytes.ts';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { TestDevice } from '../../test/helpers/link-world.ts';
import {
  startTestHub,
  testDevice,
  testDirectory,
  testOrg,
  testStore,
  watch,
} from '../../test/helpers/link-world.ts';
import { HubSocketCarrier } from '../link/carriers/hub-socket/hub-socket-carrier.ts';
import { hubRequest } from '../link/carriers/hub-socket/pinned-https.ts';
import { storeIdentity } from '../link/endpoint-identity.ts';
import { LinkEndpoint } from '../link/endpoint.ts';
import { HubLink } from '../link/hub-link.ts';
import type { CaseView } from './coordination.ts';
import { readEnvelopeHeader, sealEnvelope } from '../../crypto/envelope.ts';
import { getSodium } from '../../crypto/wasm-sodium.ts';
import type { Frame } from '../link/frames.ts';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, decodeFrame, encodeFrame } from '../link/frames.ts';
import type { LinkEvent } from '../link/endpoint.ts';
import { priorityOf } from '../link/items.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

// A real hub (HTTPS, its own LMDB store), a real kit endpoint that seals and uploads the
// consultations over the hub socket, and three specialist devices plus a coordinator device that
// sign in with their own keys. Consultations go to the team 'cardio' (Иванова and Петров);
// Сидоров is a specialist outside it.
async function world() {
  const org = await testOrg();
  const kitS = await testStore('kit');
  cleanups.push(kitS.cleanup);
  const kitId = kitS.store.publicIdentity;
  const ivanova = await testDevice();
  const petrov = await testDevice();
  const sidorov = await testDevice();
  const coordinator = await testDevice();
  const dev = (d: TestDevice) => ({ key: d.signer.publicKey, box: d.opener.sealingKey });
  const directory = await testDirectory(org, [
    { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: kitId.signing, box: kitId.sealing }] },
    { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П.', devices: [dev(ivanova)] },
    { id: 'spec-petrov', role: 'specialist', name: 'Петров И. С.', devices: [dev(petrov)] },
    { id: 'spec-sidorov', role: 'specialist', name: 'Сидоров К. Л.', devices: [dev(sidorov)] },
    { id: 'cardio', role: 'team', name: 'Кардиологи', devices: [], members: ['spec-ivanova', 'spec-petrov'] },
  ]);
  const hub = await startTestHub({ directory: () => directory });
  cleanups.push(() => hub.stop());
  const enrol = (d: TestDevice, identity: string, role: 'kit' | 'specialist' | 'coordinator') =>
    hub.hub.enrolments.enroll({ device: d.hex, identity, role });
  await hub.hub.enrolments.enroll({ device: toHex(kitId.signing), identity: 'kit-01', role: 'kit' });
  await enrol(ivanova, 'spec-ivanova', 'specialist');
  await enrol(petrov, 'spec-petrov', 'specialist');
  await enrol(sidorov, 'spec-sidorov', 'specialist');
  await enrol(coordinator, 'coord-smirnova', 'coordinator');

  const watched = watch();
  const kit = new LinkEndpoint({
    store: kitS.store,
    identity: storeIdentity(kitS.store),
    orgKey: org.publicKey,
    onEvent: watched.onEvent,
  });
  await kit.start(directory);
  const carrier = (signer: TestDevice['signer']) =>
    new HubSocketCarrier({ url: hub.hub.url, certPem: hub.tls.cert, signer });
  const link = new HubLink(kit, carrier(storeIdentity(kitS.store).signer), { maxBackoffMs: 300 });
  link.start();
  cleanups.push(async () => {
    await link.stop();
    await kit.stop();
  });
  const tokenOf = async (d: TestDevice) => carrier(d.signer).authenticate();
  const kitToken = await carrier(storeIdentity(kitS.store).signer).authenticate();
  const call = async (method: 'GET' | 'POST', path: string, token?: string, body?: unknown) => {
    const res = await hubRequest(new URL(path, hub.hub.url), hub.tls.cert, {
      method,
      timeoutMs: 5000,
      ...(token ? { token } : {}),
      ...(body === undefined ? {} : { body }),
    });
    const text = res.body.toString('utf8');
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const consult = async (urgent: boolean, question: string) => {
    const sent = await kit.send({
      kind: 'consultation',
      to: 'cardio',
      urgent,
      media: 'application/cbor',
      body: encodeWire({ urgency: urgent ? 'urgent' : 'routine', question, records: [], attachments: [] }),
      records: [],
    });
    await watched.untilState(sent.itemId, 'at_hub', 30_000);
    return sent;
  };
  const s = await getSodium();
  // A specialist's message answering consultation item `ref`, naming its envelope `re` in the
  // clear header when given, sealed to the kit.
  const reply = (device: TestDevice, from: string, text: string, ref: string, re?: string) =>
    sealEnvelope({
      item: {
        id: s.randombytes_buf(16),
        kind: 'message',
        from,
        to: 'kit-01',
        at: Date.now(),
        pri: priorityOf('message'),
        ref,
        media: 'application/cbor',
        body: encodeWire({ text }),
      },
      signer: device.signer,
      recipients: [kitId.sealing],
      ...(re ? { re } : {}),
    });
  // Each device uploads over its own link socket, as a console does: HELLO, then the ITEM.
  const upload = async (device: TestDevice, bytes: Uint8Array) => {
    const conn = await carrier(device.signer).connect();
    try {
      const answer = new Promise<Frame>((resolve) =>
        conn.onFrame((raw) => {
          const d = decodeFrame(raw, MAX_FRAME_BYTES);
          if (d.ok && (d.frame.t === 'stored' || d.frame.t === 'nack')) resolve(d.frame);
        }),
      );
      conn.send(encodeFrame({ t: 'hello', version: PROTOCOL_VERSION, maxFrameBytes: MAX_FRAME_BYTES }));
      conn.send(encodeFrame({ t: 'item', id: s.crypto_hash_sha256(bytes), bytes }));
      return await answer;
    } finally {
      conn.close('done');
    }
  };
  return {
    hub,
    call,
    consult,
    reply,
    upload,
    kit,
    kitSealing: kitId.sealing,
    carrier,
    devices: { ivanova, petrov },
    watched,
    tokens: {
      ivanova: await tokenOf(ivanova),
      petrov: await tokenOf(petrov),
      sidorov: await tokenOf(sidorov),
      coordinator: await tokenOf(coordinator),
      kit: kitToken,
    },
  };
}

const casesOf = (json: Record<string, unknown>) => json.cases as CaseView[];

describe('claims on the hub (coordination)', () => {
  it('one specialist takes a consultation, the other sees who has it, a coordinator reassigns, all audited', async () => {
    const w = await world();
    const { call, tokens } = w;
    await w.consult(false, 'Одышка при нагрузке');
    await w.consult(true, 'Боль за грудиной');
    // A vitals item is not a consultation: the hub does not list it (priority 2).
    const vitals = await w.kit.send({ kind: 'vitals', to: 'cardio', body: encodeWire({ x: 1 }) });
    await w.watched.untilState(vitals.itemId, 'at_hub', 30_000);

    // Both team members see both, urgent first; the specialist outside the team sees none.
    const seen = casesOf((await call('GET', '/api/cases', tokens.ivanova)).json);
    expect(seen.map((c) => c.urgency)).toEqual(['urgent', 'routine']);
    expect(seen[0]!.to).toBe('cardio');
    expect(seen[0]!.from).toBe('kit-01');
    expect(seen[0]!.candidates).toEqual(['spec-ivanova', 'spec-petrov']);
    expect(seen[0]!.dueAt - seen[0]!.arrivedAt).toBe(30 * 60_000);
    expect(seen[1]!.dueAt - seen[1]!.arrivedAt).toBe(24 * 3600_000);
    expect(seen.every((c) => c.claim === null && c.overdueMs === 0)).toBe(true);
    expect(casesOf((await call('GET', '/api/cases', tokens.petrov)).json)).toHaveLength(2);
    expect(casesOf((await call('GET', '/api/cases', tokens.sidorov)).json)).toHaveLength(0);
    const urgent = seen[0]!.id;

    // Иванова takes the urgent one; Петров sees it taken by her and cannot take it.
    const took = await call('POST', `/api/cases/${urgent}/claim`, tokens.ivanova);
    expect(took.status).toBe(200);
    expect(took.json.claim).toMatchObject({ by: 'spec-ivanova' });
    expect((await call('POST', `/api/cases/${urgent}/claim`, tokens.ivanova)).status).toBe(200);
    const refused = await call('POST', `/api/cases/${urgent}/claim`, tokens.petrov);
    expect(refused).toEqual({ status: 409, json: { error: 'taken', by: 'spec-ivanova' } });
    const petrovView = casesOf((await call('GET', '/api/cases', tokens.petrov)).json);
    expect(petrovView.find((c) => c.id === urgent)?.claim?.by).toBe('spec-ivanova');
    // Nor can he give it back for her, and Сидоров (not sealed for) cannot take it at all.
    expect((await call('POST', `/api/cases/${urgent}/release`, tokens.petrov)).status).toBe(403);
    expect((await call('POST', `/api/cases/${urgent}/claim`, tokens.sidorov)).status).toBe(403);

    // Wrong identity or role: no token 401, a kit 403, a specialist cannot reassign (403).
    expect((await call('GET', '/api/cases')).status).toBe(401);
    expect((await call('POST', `/api/cases/${urgent}/claim`)).status).toBe(401);
    expect((await call('GET', '/api/cases', tokens.kit)).status).toBe(403);
    expect((await call('POST', `/api/cases/${urgent}/claim`, tokens.kit)).status).toBe(403);
    const byPetrov = await call('POST', `/api/cases/${urgent}/assign`, tokens.petrov, { to: 'spec-petrov' });
    expect(byPetrov.status).toBe(403);
    expect((await call('GET', '/api/cases/audit', tokens.ivanova)).status).toBe(403);
    // Schema checks: a bad id, a bad body.
    expect((await call('POST', '/api/cases/not-an-id/claim', tokens.ivanova)).status).toBe(400);
    const badBody = await call('POST', `/api/cases/${urgent}/assign`, tokens.coordinator, { to: 'X Y' });
    expect(badBody.status).toBe(400);
    const extra = await call('POST', `/api/cases/${urgent}/assign`, tokens.coordinator, {
      to: 'spec-petrov',
      note: 'x',
    });
    expect(extra.status).toBe(400);
    const unknown = await call('POST', `/api/cases/${'ab'.repeat(32)}/claim`, tokens.ivanova);
    expect(unknown.status).toBe(404);

    // The coordinator sees every open one (it is no recipient of either) and reassigns the urgent
    // one to Петров; only an identity the envelope was sealed for can be given it.
    const all = casesOf((await call('GET', '/api/cases', tokens.coordinator)).json);
    expect(all.map((c) => [c.urgency, c.claim?.by ?? null])).toEqual([
      ['urgent', 'spec-ivanova'],
      ['routine', null],
    ]);
    const toSidorov = await call('POST', `/api/cases/${urgent}/assign`, tokens.coordinator, {
      to: 'spec-sidorov',
    });
    expect(toSidorov.status).toBe(403);
    const moved = await call('POST', `/api/cases/${urgent}/assign`, tokens.coordinator, {
      to: 'spec-petrov',
    });
    expect(moved.status).toBe(200);
    expect(moved.json.claim).toMatchObject({ by: 'spec-petrov', assignedBy: 'coord-smirnova' });
    expect((await call('POST', `/api/cases/${urgent}/claim`, tokens.ivanova)).json).toEqual({
      error: 'taken',
      by: 'spec-petrov',
    });

    // Петров answers: it leaves every queue; a second 'answered' is a conflict.
    expect((await call('POST', `/api/cases/${urgent}/answered`, tokens.ivanova)).status).toBe(409);
    expect((await call('POST', `/api/cases/${urgent}/answered`, tokens.petrov)).status).toBe(200);
    expect((await call('POST', `/api/cases/${urgent}/answered`, tokens.petrov)).status).toBe(409);
    const left = casesOf((await call('GET', '/api/cases', tokens.coordinator)).json);
    expect(left.map((c) => c.urgency)).toEqual(['routine']);

    // The audit trail, newest first: who did what, on which device, to whom.
    const audit = (await call('GET', '/api/cases/audit', tokens.coordinator)).json.entries as {
      action: string;
      actor: string;
      target?: string;
      case: string;
    }[];
    expect(audit.map((e) => [e.action, e.actor, e.target ?? null])).toEqual([
      ['answered', 'spec-petrov', null],
      ['assign', 'coord-smirnova', 'spec-petrov'],
      ['claim', 'spec-ivanova', null],
      ['claim', 'spec-ivanova', null],
    ]);
    expect(audit.every((e) => e.case === urgent)).toBe(true);
    const limited = await call('GET', '/api/cases/audit?limit=1', tokens.coordinator);
    expect((limited.json.entries as unknown[]).length).toBe(1);
    expect((await call('GET', '/api/cases/audit?limit=9999', tokens.coordinator)).status).toBe(400);
  }, 120_000);

  it('flags what is past its deadline, and forgets a dismissed message', async () => {
    const w = await world();
    const { call, tokens } = w;
    const sent = await w.consult(true, 'Срочно');
    const [c] = casesOf((await call('GET', '/api/cases', tokens.coordinator)).json);
    expect(c!.overdueMs).toBe(0);
    // The hub's clock cannot be moved from here: the deadline is checked against the same
    // record read by another Coordination with a later clock, over the hub's own store.
    const { Coordination } = await import('./coordination.ts');
    const later = new Coordination(w.hub.store, () => undefined, { now: () => c!.arrivedAt + 45 * 60_000 });
    const [late] = await later.open({
      identity: 'coord-smirnova',
      device: 'ab'.repeat(32),
      role: 'coordinator',
    });
    expect(late!.overdueMs).toBe(15 * 60_000);
    // A recipient that opened it and found a message (not a consultation) dismisses it.
    expect((await call('POST', `/api/cases/${c!.id}/dismiss`, tokens.sidorov)).status).toBe(403);
    expect((await call('POST', `/api/cases/${c!.id}/dismiss`, tokens.ivanova)).status).toBe(200);
    expect(casesOf((await call('GET', '/api/cases', tokens.coordinator)).json)).toEqual([]);
    expect(sent.itemId).toMatch(/^[0-9a-f]{32}$/);
  }, 120_000);

  it('a poll with the cursor of the last answer gets only what changed since', async () => {
    const w = await world();
    const { call, tokens } = w;
    await w.consult(true, 'Боль за грудиной');
    await w.consult(false, 'Одышка при нагрузке');
    const first = (await call('GET', '/api/cases', tokens.ivanova)).json;
    expect(first.full).toBe(true);
    expect(casesOf(first)).toHaveLength(2);
    const cursor = first.cursor as string;
    expect(cursor).toMatch(/^[a-z0-9]+\.\d+$/);
    const since = (c: string, token = tokens.ivanova) =>
      call('GET', `/api/cases?since=${encodeURIComponent(c)}`, token);

    // Nothing moved: an empty change, the same cursor.
    const idle = (await since(cursor)).json;
    expect(idle).toEqual({ cases: [], removed: [], cursor, full: false });

    // Петров takes the urgent one: Иванова's next poll has that case only, with the claim.
    const urgent = casesOf(first)[0]!.id;
    expect((await call('POST', `/api/cases/${urgent}/claim`, tokens.petrov)).status).toBe(200);
    const claimed = (await since(cursor)).json;
    expect(claimed.full).toBe(false);
    expect(casesOf(claimed).map((c) => [c.id, c.claim?.by])).toEqual([[urgent, 'spec-petrov']]);
    expect(claimed.removed).toEqual([]);
    // Сидоров is not a recipient: the change is not his to see.
    const sid = (await call('GET', '/api/cases', tokens.sidorov)).json;
    expect(casesOf((await since(sid.cursor as string, tokens.sidorov)).json)).toEqual([]);

    // A new consultation arrives, and Петров answers the urgent one: one added, one removed.
    const next = claimed.cursor as string;
    await w.consult(false, 'Отёки голеней');
    expect((await call('POST', `/api/cases/${urgent}/answered`, tokens.petrov)).status).toBe(200);
    const moved = (await since(next)).json;
    expect(casesOf(moved).map((c) => c.urgency)).toEqual(['routine']);
    expect(moved.removed).toEqual([urgent]);
    // Applied to the first list, the changes give what a whole list says now.
    const merged = new Map(casesOf(first).map((c) => [c.id, c]));
    for (const c of casesOf(claimed)) merged.set(c.id, c);
    for (const c of casesOf(moved)) merged.set(c.id, c);
    for (const id of moved.removed as string[]) merged.delete(id);
    const whole = casesOf((await call('GET', '/api/cases', tokens.ivanova)).json);
    expect([...merged.keys()].sort()).toEqual(whole.map((c) => c.id).sort());

    // A cursor this hub process did not issue (another process, or made up) gets the whole list.
    for (const bad of ['zzzz.1', `${cursor.split('.')[0]}.999999`]) {
      const again = (await since(bad)).json;
      expect(again.full).toBe(true);
      expect(casesOf(again)).toHaveLength(whole.length);
    }
    expect((await since('x'.repeat(41))).status).toBe(400);
    // A restarted hub (a new Coordination over the same store) has forgotten the cursor.
    const { Coordination } = await import('./coordination.ts');
    const restarted = new Coordination(w.hub.store, () => undefined);
    const fresh = await restarted.changes(
      { identity: 'coord-smirnova', device: 'ab'.repeat(32), role: 'coordinator' },
      cursor,
    );
    expect(fresh.full).toBe(true);
    expect(fresh.cases.map((c) => c.id).sort()).toEqual(whole.map((c) => c.id).sort());
  }, 120_000);

  it('refuses a reply from a specialist who does not hold the consultation, naming the holder', async () => {
    const w = await world();
    const { call, tokens } = w;
    const sent = await w.consult(true, 'Боль за грудиной');
    const [c] = casesOf((await call('GET', '/api/cases', tokens.ivanova)).json);
    expect((await call('POST', `/api/cases/${c!.id}/claim`, tokens.ivanova)).status).toBe(200);
    const reply = (device: TestDevice, from: string, text: string) =>
      w.reply(device, from, text, sent.itemId, c!.id);
    const upload = w.upload;
    const fromPetrov = await reply(w.devices.petrov, 'spec-petrov', 'Вводите гепарин.');
    expect(readEnvelopeHeader(fromPetrov.bytes).header.re).toBe(c!.id);
    const refused = await upload(w.devices.petrov, fromPetrov.bytes);
    expect(refused).toMatchObject({ t: 'nack', code: 'taken', detail: 'held by spec-ivanova' });
    expect(await w.hub.hub.mailbox.state(fromPetrov.id)).toEqual({ state: 'none' });
    // The holder's reply is taken and reaches the kit; Петров's never does.
    const fromIvanova = await reply(w.devices.ivanova, 'spec-ivanova', 'Аспирин 250 мг разжевать.');
    expect(await upload(w.devices.ivanova, fromIvanova.bytes)).toMatchObject({ t: 'stored' });
    const got = await w.watched.until(
      (e): e is Extract<LinkEvent, { type: 'received' }> => e.type === 'received',
      30_000,
    );
    expect(got.entry.from).toBe('spec-ivanova');
    expect(w.watched.received().map((e) => e.from)).toEqual(['spec-ivanova']);
    // Once the coordinator gives the case to Петров, his reply goes through and hers is refused.
    const moved = await call('POST', `/api/cases/${c!.id}/assign`, tokens.coordinator, { to: 'spec-petrov' });
    expect(moved.status).toBe(200);
    expect(await upload(w.devices.petrov, fromPetrov.bytes)).toMatchObject({ t: 'stored' });
    const late = await reply(w.devices.ivanova, 'spec-ivanova', 'Ещё одно.');
    expect(await upload(w.devices.ivanova, late.bytes)).toMatchObject({
      t: 'nack',
      code: 'taken',
      detail: 'held by spec-petrov',
    });
  }, 120_000);
  it('refuses a specialist reply that names no consultation (no re), even from the holder', async () => {
    const w = await world();
    const { call, tokens } = w;
    const sent = await w.consult(true, 'Боль за грудиной');
    const [c] = casesOf((await call('GET', '/api/cases', tokens.ivanova)).json);
    expect((await call('POST', `/api/cases/${c!.id}/claim`, tokens.ivanova)).status).toBe(200);
    // From the holder herself, and from a specialist who does not hold it: no re, no entry.
    for (const [device, from] of [
      [w.devices.ivanova, 'spec-ivanova'],
      [w.devices.petrov, 'spec-petrov'],
    ] as const) {
      const bare = await w.reply(device, from, 'Без привязки к консультации.', sent.itemId);
      expect(readEnvelopeHeader(bare.bytes).header.re).toBeUndefined();
      expect(await w.upload(device, bare.bytes)).toMatchObject({ t: 'nack', code: 'unbound_reply' });
      expect(await w.hub.hub.mailbox.state(bare.id)).toEqual({ state: 'none' });
    }
    expect(w.hub.hub.counters.snapshot()).toMatchObject({ unbound_reply: 2 });
    // The same reply naming its consultation goes through and reaches the kit.
    const bound = await w.reply(w.devices.ivanova, 'spec-ivanova', 'С привязкой.', sent.itemId, c!.id);
    expect(await w.upload(w.devices.ivanova, bound.bytes)).toMatchObject({ t: 'stored' });
    const got = await w.watched.until(
      (e): e is Extract<LinkEvent, { type: 'received' }> => e.type === 'received',
      30_000,
    );
    expect(got.entry.header.re).toBe(c!.id);
    expect(w.watched.received().map((e) => e.from)).toEqual(['spec-ivanova']);
  }, 120_000);
});
