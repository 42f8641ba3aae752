import { afterAll, describe, expect, it } from 'vitest';
import { verifyDirectory } from '../../crypto/directory.ts';
import { NO_INSTRUMENTS, apiAsTablet } from '../../runtime/http/api/test-tablet.ts';
import type { KitEvent } from '../../runtime/events.ts';
import { LiveBus } from '../../runtime/live-bus.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import type { SignalIn } from '../../runtime/link/carriers/webrtc/signal-protocol.ts';
import { SignalingClient } from '../../runtime/link/carriers/webrtc/signaling-client.ts';
import { CallRelay } from '../../runtime/link/live/call-relay.ts';
import { LinkPacer } from '../../runtime/link/rate.ts';
import type { WireCall } from '../../runtime/link/live/call-wire.ts';
import {
  MAX_CALL_BODY_BYTES,
  WireCall as WireCallSchema,
  callMedia,
} from '../../runtime/link/live/call-wire.ts';
import { parseCallEvent } from '../../pwa/tablet/app/call/call-event.ts';
import type { TestDevice } from '../helpers/link-world.ts';
import { startTestHub, testDevice, testDirectory, testOrg, testStore } from '../helpers/link-world.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

async function until<T>(get: () => T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('not in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The kit's call relay between the hub's real signaling (TLS WebSocket, enrolled devices) and
// the tablets' API route (the real routes, in process as two paired tablets): only specialists
// ring, one tablet takes the call, every message is schema- and size-checked, and ends reach the
// other side.
describe('the kit relays calls between a console and its tablets', () => {
  it('rings, lets one tablet take it, relays both ways, refuses the rest', async () => {
    const hub = await startTestHub();
    cleanups.push(() => hub.stop());
    const org = await testOrg();
    const kit = await testDevice();
    const spec = await testDevice();
    const otherKit = await testDevice();
    for (const [d, identity, role] of [
      [kit, 'kit-01', 'kit'],
      [spec, 'spec-ivanova', 'specialist'],
      [otherKit, 'kit-02', 'kit'],
    ] as const)
      await hub.hub.enrolments.enroll({ device: d.hex, identity, role });
    const dir = await verifyDirectory(
      await testDirectory(org, [
        {
          id: 'kit-01',
          role: 'kit',
          name: 'Бригада 1',
          devices: [{ key: kit.signer.publicKey, box: kit.opener.sealingKey }],
        },
        {
          id: 'kit-02',
          role: 'kit',
          name: 'Бригада 2',
          devices: [{ key: otherKit.signer.publicKey, box: otherKit.opener.sealingKey }],
        },
        {
          id: 'spec-ivanova',
          role: 'specialist',
          name: 'Иванова А. П., кардиолог',
          devices: [{ key: spec.signer.publicKey, box: spec.opener.sealingKey }],
        },
      ]),
      org.publicKey,
    );
    const signalingOf = (d: TestDevice): SignalingClient => {
      const auth = new HubSocketCarrier({ url: hub.hub.url, certPem: hub.tls.cert, signer: d.signer });
      const client = new SignalingClient({
        url: hub.hub.url,
        certPem: hub.tls.cert,
        authenticate: (s) => auth.authenticate(s),
      });
      cleanups.push(() => client.stop());
      return client;
    };
    const kitSignal = signalingOf(kit);
    const consoleSignal = signalingOf(spec);
    const strangerSignal = signalingOf(otherKit);
    await Promise.all([kitSignal.start(), consoleSignal.start(), strangerSignal.start()]);
    const atConsole: SignalIn[] = [];
    consoleSignal.on((m) => atConsole.push(m));
    const atStranger: SignalIn[] = [];
    strangerSignal.on((m) => atStranger.push(m));

    const rung: WireCall[] = [];
    const relay = new CallRelay({
      signaling: kitSignal,
      directory: () => dir,
      publish: (c) => rung.push(c),
      // What the console reported of the link (live-vitals.ts keeps it): rung with the offer.
      linkKbps: () => 129,
      ringMs: 8000,
    });
    cleanups.push(() => Promise.resolve(relay.stop()));
    const { store, cleanup } = await testStore('kit');
    cleanups.push(cleanup);
    const deps = { store, bus: new LiveBus<KitEvent>(), instruments: NO_INSTRUMENTS, calls: relay };
    const tabletA = apiAsTablet(deps, { id: 't-a', name: 'Планшет 1', role: 'feldsher' });
    const tabletB = apiAsTablet(deps, { id: 't-b', name: 'Планшет 2', role: 'feldsher' });
    const post = (app: typeof tabletA, body: unknown) =>
      app.request('/call', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // A specialist's offer rings the tablets, with the name from the kit's directory.
    const session = 'call:3a0c6f7e-5b1d-4c2e-8f9a-0b1c2d3e4f50';
    expect(consoleSignal.send({ kind: 'offer', to: 'kit-01', session, sdp: SDP })).toBe(true);
    const offer = await until(() => rung.find((c) => c.kind === 'offer'));
    expect(offer).toMatchObject({
      session,
      fromId: 'spec-ivanova',
      fromName: 'Иванова А. П.',
      video: false,
      linkKbps: 129,
    });

    // Tablet A answers: the console gets it from the kit's device; tablet B is too late.
    expect((await post(tabletA, { kind: 'answer', session, sdp: SDP })).status).toBe(204);
    const answer = await until(() => atConsole.find((m) => m.kind === 'answer'));
    expect(answer).toMatchObject({ from: kit.hex, fromIdentity: 'kit-01', session });
    expect(rung.find((c) => c.kind === 'taken')).toEqual({ kind: 'taken', session, tablet: 't-a' });
    const late = await post(tabletB, { kind: 'answer', session, sdp: SDP });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: 'taken_elsewhere' });

    // Candidates both ways.
    const candidate = {
      candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    };
    expect((await post(tabletA, { kind: 'ice', session, candidate })).status).toBe(204);
    await until(() => atConsole.find((m) => m.kind === 'ice'));
    consoleSignal.send({ kind: 'ice', to: 'kit-01', session, candidate });
    await until(() => rung.find((c) => c.kind === 'ice'));

    // Refusals: schema, size, a call that does not exist.
    const badSchema = await post(tabletA, { kind: 'answer', session: 'not-a-call', sdp: SDP });
    expect(badSchema.status).toBe(400);
    const huge = await post(tabletA, { kind: 'answer', session, sdp: 'x'.repeat(MAX_CALL_BODY_BYTES) });
    expect(huge.status).toBe(413);
    const unknown = await post(tabletA, { kind: 'bye', session: 'call:ffffffff-0000', reason: 'x' });
    expect(unknown.status).toBe(404);

    // The console hangs up: the tablets hear it, and the call is gone.
    consoleSignal.send({ kind: 'bye', to: 'kit-01', session, reason: 'the specialist hung up' });
    await until(() => rung.find((c) => c.kind === 'bye'));
    expect(relay.active).toBe(0);
    expect((await post(tabletA, { kind: 'ice', session, candidate })).status).toBe(404);

    // A device that is not a specialist's (another kit) does not ring anything.
    const before = rung.length;
    const foreign = 'call:11111111-2222-3333';
    strangerSignal.send({ kind: 'offer', to: 'kit-01', session: foreign, sdp: SDP });
    const bye = await until(() => atStranger.find((m) => m.kind === 'bye' && m.session === foreign));
    expect(bye.kind === 'bye' ? bye.reason : '').toMatch(/not a specialist/);
    expect(rung.length).toBe(before);

    // A tablet hangs up: the console hears it from the kit.
    const second = 'call:44444444-5555-6666';
    consoleSignal.send({ kind: 'offer', to: 'kit-01', session: second, sdp: SDP });
    await until(() => rung.find((c) => c.kind === 'offer' && c.session === second));
    expect((await post(tabletB, { kind: 'answer', session: second, sdp: SDP })).status).toBe(204);
    expect(
      (await post(tabletB, { kind: 'bye', session: second, reason: 'the feldsher hung up' })).status,
    ).toBe(204);
    await until(() => atConsole.find((m) => m.kind === 'bye' && m.session === second));
    expect(relay.active).toBe(0);

    // The console names the figure it decided on in its offer (bounded by the hub's signal
    // schema); the kit decides the tablet's side of the call from that figure, not a guess.
    const VIDEO_SDP = `${SDP}m=video 9 UDP/TLS/RTP/SAVPF 96\r\n`;
    const offerWith = async (s: string, sdp: string, linkKbps: number | null) => {
      expect(consoleSignal.send({ kind: 'offer', to: 'kit-01', session: s, sdp, linkKbps })).toBe(true);
      const rang = await until(() => rung.find((c) => c.kind === 'offer' && c.session === s));
      consoleSignal.send({ kind: 'bye', to: 'kit-01', session: s, reason: 'the specialist hung up' });
      await until(() => rung.find((c) => c.kind === 'bye' && c.session === s));
      return rang;
    };
    expect(await offerWith('call:decided-wide', VIDEO_SDP, 900)).toMatchObject({
      video: true,
      linkKbps: 900,
    });
    // Video offered on a link the offer itself names narrow, or unmeasured: the tablet keeps its
    // camera off.
    expect(await offerWith('call:decided-narrow', VIDEO_SDP, 200)).toMatchObject({
      video: false,
      linkKbps: 200,
    });
    expect(await offerWith('call:decided-unmeasured', VIDEO_SDP, null)).toMatchObject({
      video: false,
      linkKbps: null,
    });
    // Audio only on a wide link: the figure is the offer's, not the 129 reported on the side.
    expect(await offerWith('call:decided-audio', SDP, 900)).toMatchObject({ video: false, linkKbps: 900 });
    // A figure out of bounds is refused at the hub: nothing rings.
    for (const [n, bad] of [
      [1, 2_000_000],
      [2, -1],
      [3, 'wide'],
    ] as const) {
      const s = `call:bad-figure-${n}`;
      consoleSignal.send({ kind: 'offer', to: 'kit-01', session: s, sdp: SDP, linkKbps: bad as number });
      await until(() => (atConsole.filter((m) => m.kind === 'refused').length >= n ? true : undefined));
      expect(rung.find((c) => c.session === s)).toBeUndefined();
    }
    expect(relay.active).toBe(0);

    // Nobody answers: the kit ends it on both sides.
    const third = 'call:77777777-8888-9999';
    consoleSignal.send({ kind: 'offer', to: 'kit-01', session: third, sdp: SDP });
    const rangOut = await until(() => atConsole.find((m) => m.kind === 'bye' && m.session === third), 30_000);
    expect(rangOut).toMatchObject({ reason: 'no answer' });
    expect(rung.find((c) => c.kind === 'bye' && c.session === third)).toBeDefined();

    // The tablet's schema-free check (its bundle carries no zod) takes exactly what the kit's
    // schema takes: every event published here, and none of these.
    for (const c of rung) {
      expect(WireCallSchema.safeParse(c).success).toBe(true);
      expect(parseCallEvent(c)).toEqual(c);
    }
    const offerEvent = rung.find((c) => c.kind === 'offer')!;
    for (const bad of [
      { ...offerEvent, session: 'call:short' },
      { ...offerEvent, session: 'live:3a0c6f7e-5b1d-4c2e' },
      { ...offerEvent, sdp: 'x'.repeat(48 * 1024 + 1) },
      { ...offerEvent, sdp: '' },
      { ...offerEvent, video: 'yes' },
      { ...offerEvent, linkKbps: -1 },
      { ...offerEvent, linkKbps: 'wide' },
      { ...offerEvent, linkKbps: 2_000_000 },
      { kind: 'ice', session, candidate: { candidate: 'c'.repeat(2049) } },
      { kind: 'ice', session, candidate: { candidate: 'c', sdpMLineIndex: 65 } },
      { kind: 'bye', session, reason: 'r'.repeat(201) },
      { kind: 'ring', session },
      null,
      [],
    ]) {
      expect(WireCallSchema.safeParse(bad).success).toBe(false);
      expect(parseCallEvent(bad)).toBeNull();
    }
  }, 90_000);

  it('offers video only on a link measured wide enough, never below 256 kbit/s', () => {
    // The kit reports its uplink only once its pacer measured one (the assumed rate does not count).
    const pacer = new LinkPacer();
    expect(pacer.measured).toBe(false);
    for (let t = 0; t <= 1000; t += 100) pacer.delivered(16 * 1024, true, 1_000_000 + t);
    expect(pacer.measured).toBe(true);

    expect(callMedia(null).video).toBe(false);
    expect(callMedia(128).video).toBe(false);
    expect(callMedia(255).video).toBe(false);
    expect(callMedia(300).video).toBe(false);
    const wide = callMedia(1000);
    expect(wide.video).toBe(true);
    expect(wide.videoBitrate).toBeGreaterThan(0);
    expect(wide.videoBitrate + wide.audioBitrate).toBeLessThanOrEqual(1000 * 1000);
  });
});
