import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseKitConfig } from '../runtime/config.ts';
import type { WireObservation } from '../runtime/http/wire.ts';
import { startKit } from '../runtime/kit.ts';
import type { WireDelivery, WireInboxItem, WireLinkStatus } from '../runtime/link/wire-link.ts';
import { createLogger } from '../runtime/log.ts';
import { SIM_SPECIALIST_ID, startSimLink } from '../runtime/sim-link.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { KitClient, pairTablet } from './helpers/kit-client.ts';
import { until } from './helpers/until.ts';

const temp = tempStores();
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

/**
 * The kit as `fieldkit start` runs it in simulation: simulated instruments, the real store, the
 * real HTTP server, and the link to a local hub with the simulated specialist (real TLS sockets,
 * real envelopes; only the specialist is simulated).
 */
async function boot(badConclusionRate: number) {
  const dir = temp.dir();
  const store = await temp.reopen(dir);
  const log = createLogger('silent');
  const sim = await startSimLink({
    kitStore: store,
    dir: join(dir, 'sim-link'),
    log,
    readAfterMs: 0,
    answerAfterMs: 100,
    badConclusionRate,
  });
  cleanups.push(() => sim.stop());
  const config = parseKitConfig({
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0 },
    sim: { oximeterRateHz: 10, bpIntervalMs: 60_000 },
    utcOffsetMinutes: 180,
    logLevel: 'silent',
  });
  const kit = await startKit(config, store, log, 'test', {
    link: { store, orgKey: sim.orgKey, hub: sim.hub, directory: sim.directory },
  });
  cleanups.push(() => kit.stop());
  const client = new KitClient(kit.url, kit.caPem);
  const token = await pairTablet(client, store);
  const get = async <T>(path: string): Promise<T> => (await client.request(`/${path}`, { token })).json<T>();
  const post = async (path: string, body: unknown) => {
    const res = await client.postJson(`/${path}`, body, token);
    return { status: res.status, json: () => Promise.resolve(res.json()) };
  };
  return { kit, get, post, client, token };
}

describe('the kit linked to the simulated specialist (npm start in simulation)', () => {
  it('a consultation posted by the tablet goes stored -> answered (live over SSE and by GET); the conclusion arrives verified', async () => {
    const { get, post, client, token } = await boot(0);
    await until(async () => (await get<WireLinkStatus>('api/link/status')).hub === 'up', {
      timeoutMs: 20_000,
      what: 'the kit connected to the local hub',
    });
    expect(await get('api/link/specialists')).toEqual([
      { id: SIM_SPECIALIST_ID, name: 'Иванова А. П., кардиолог (симуляция)' },
    ]);
    await until(async () => (await get<WireObservation[]>('api/observations?limit=2')).length === 2, {
      timeoutMs: 20_000,
      what: 'two readings stored',
    });
    const readings = await get<WireObservation[]>('api/observations?limit=2');

    // Bad requests are refused with typed reasons and send nothing.
    const bad = await post('api/link/consultations', {
      to: SIM_SPECIALIST_ID,
      urgency: 'soon',
      question: '?',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_body' });
    const nobody = await post('api/link/consultations', { to: 'nobody', urgency: 'urgent', question: '?' });
    expect(await nobody.json()).toMatchObject({ error: 'invalid_body', issues: [{ path: 'to' }] });
    const missing = await post('api/link/consultations', {
      to: SIM_SPECIALIST_ID,
      urgency: 'urgent',
      question: '?',
      observationIds: ['o-00000000000fffff'],
    });
    expect(await missing.json()).toMatchObject({
      error: 'invalid_body',
      issues: [{ path: 'observationIds' }],
    });
    expect(await get('api/link/items')).toEqual([]);

    const ac = new AbortController();
    cleanups.push(() => Promise.resolve(ac.abort()));
    const live: { event: string; data: unknown }[] = [];
    const watching = (async () => {
      for await (const e of client.live(token, ac.signal))
        if (e.event.startsWith('link-') || e.event === 'hello')
          live.push({ event: e.event, data: JSON.parse(e.data) as unknown });
    })().catch(() => undefined);
    await until(() => live.some((e) => e.event === 'hello'), {
      timeoutMs: 20_000,
      what: 'the tablet subscribed',
    });

    const res = await post('api/link/consultations', {
      to: SIM_SPECIALIST_ID,
      urgency: 'urgent',
      question: 'Боль за грудиной 40 минут. Что делать?',
      patient: { age: 58, sex: 'm' },
      observationIds: readings.map((r) => r.id),
    });
    expect(res.status).toBe(201);
    const sent = (await res.json()) as WireDelivery;
    expect(sent).toMatchObject({ kind: 'consultation', to: SIM_SPECIALIST_ID, state: 'stored' });

    const inbox = () => get<WireInboxItem[]>('api/link/inbox');
    await until(async () => (await inbox()).some((i) => i.kind === 'conclusion'), {
      timeoutMs: 30_000,
      what: 'the conclusion received',
    });
    await until(
      async () =>
        (await get<WireDelivery[]>('api/link/items')).find((d) => d.itemId === sent.itemId)?.state ===
        'answered',
      { timeoutMs: 30_000, what: 'the consultation answered' },
    );
    const conclusion = (await inbox()).find((i) => i.kind === 'conclusion')!;
    expect(conclusion).toMatchObject({
      from: SIM_SPECIALIST_ID,
      ref: sent.itemId,
      verified: true,
      reasons: [],
    });
    expect(conclusion.text).toMatch(/Симулированный специалист/);
    await until(async () => (await inbox()).some((i) => i.kind === 'message'), {
      timeoutMs: 30_000,
      what: 'the message received',
    });
    expect((await inbox()).find((i) => i.kind === 'message')).toMatchObject({
      verified: true,
      text: expect.stringMatching(/Срочную консультацию получила/) as unknown,
    });

    // The tablet saw every state live, in order, and the received items.
    await until(
      () => live.some((e) => e.event === 'link-received' && (e.data as WireInboxItem).kind === 'conclusion'),
      {
        what: 'the conclusion announced live',
      },
    );
    const states = live
      .filter((e) => e.event === 'link-state' && (e.data as WireDelivery).itemId === sent.itemId)
      .map((e) => (e.data as WireDelivery).state);
    const order = ['stored', 'queued', 'at_hub', 'delivered', 'read', 'answered'];
    expect(states.filter((s) => order.includes(s))).toEqual(
      [...states.filter((s) => order.includes(s))].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
    );
    expect(states).toEqual(expect.arrayContaining(['at_hub', 'delivered', 'read', 'answered']));
    ac.abort();
    await watching;
  });

  it('a conclusion whose record hash does not match what was sent is kept, shown unverified with the reason', async () => {
    const { get, post } = await boot(1);
    await until(async () => (await get<WireObservation[]>('api/observations?limit=1')).length === 1, {
      timeoutMs: 20_000,
      what: 'a reading stored',
    });
    const [reading] = await get<WireObservation[]>('api/observations?limit=1');
    const res = await post('api/link/consultations', {
      to: SIM_SPECIALIST_ID,
      urgency: 'routine',
      question: 'Плановый осмотр',
      observationIds: [reading!.id],
    });
    expect(res.status).toBe(201);
    const inbox = () => get<WireInboxItem[]>('api/link/inbox');
    await until(async () => (await inbox()).some((i) => i.kind === 'conclusion'), {
      timeoutMs: 30_000,
      what: 'the conclusion received',
    });
    const conclusion = (await inbox()).find((i) => i.kind === 'conclusion')!;
    expect(conclusion.verified).toBe(false);
    expect(conclusion.reasons.join(' ')).toMatch(/hash|sha/i);
    expect(conclusion.text).toBeTruthy();
  });
});
