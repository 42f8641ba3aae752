import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWire } from '../crypto/wire-cbor.ts';
import { BLOCK_BYTES } from '../runtime/link/frames.ts';
import { wrtcPeerFactory } from '../runtime/link/carriers/webrtc/peer.ts';
import type { PeerFactory } from '../runtime/link/carriers/webrtc/peer.ts';
import type { RtcConnection } from '../runtime/link/carriers/webrtc/rtc-connection.ts';
import type { LinkEvent } from '../runtime/link/endpoint.ts';
import type { KitLink, KitLinkEvent } from '../runtime/link/kit-link.ts';
import { startKitLink } from '../runtime/link/kit-link.ts';
import { createLogger } from '../runtime/log.ts';
import { startSimSpecialist } from '../sim/specialist/sim-specialist.ts';
import type { SimSpecialist } from '../sim/specialist/sim-specialist.ts';
import { startTestHub, testDirectory, testOrg, testStore } from './helpers/link-world.ts';
import { until } from './helpers/until.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups.length = 0;
});

/**
 * The kit's and the console's peer connections take their ports from ranges of this test's own
 * (below the kernel's ephemeral range, so no TCP connection of anyone else lands in them), and
 * iptables rules dropping every packet to those ports are the cut: a real blocked path (UDP and
 * TCP candidates, SCTP, the ICE restart and new connections all fail, whichever end connects),
 * while the hub's TCP sockets are untouched.
 */
const BASE = 21_000 + (process.pid % 40) * 200;
const SPEC_PORTS = { min: BASE, max: BASE + 99 };
const KIT_PORTS = { min: BASE + 100, max: BASE + 199 };
const PORTS = { min: BASE, max: BASE + 199 };
const RULE = (op: '-I' | '-D', proto: 'udp' | 'tcp'): string[] => [
  op,
  'INPUT',
  '-p',
  proto,
  '--dport',
  `${PORTS.min}:${PORTS.max}`,
  '-m',
  'comment',
  '--comment',
  `lr-direct-${process.pid}`,
  '-j',
  'DROP',
];
let blocked = false;
/** Candidates are gathered on IPv4 and IPv6 (::1, ULAs): both tables get the rule. */
const TABLES = ['iptables', 'ip6tables'] as const;
function block(): void {
  for (const table of TABLES)
    for (const proto of ['udp', 'tcp'] as const) execFileSync(table, RULE('-I', proto));
  blocked = true;
}
function unblock(): void {
  if (!blocked) return;
  blocked = false;
  for (const table of TABLES)
    for (const proto of ['udp', 'tcp'] as const) execFileSync(table, RULE('-D', proto));
}

describe('the kit prefers the direct path and falls back to the hub', () => {
  it('a transfer starts direct, the path is blocked, it finishes through the hub exactly once; the path comes back', async () => {
    cleanups.push(unblock);
    const org = await testOrg();
    const kitS = await testStore('kit');
    const specS = await testStore('spec');
    cleanups.push(kitS.cleanup, specS.cleanup);
    const kitKeys = kitS.store.publicIdentity;
    const specKeys = specS.store.publicIdentity;
    const directory = await testDirectory(org, [
      {
        id: 'kit-01',
        role: 'kit',
        name: 'Бригада 1',
        devices: [{ key: kitKeys.signing, box: kitKeys.sealing }],
      },
      {
        id: 'spec-ivanova',
        role: 'specialist',
        name: 'Иванова А. П., кардиолог',
        devices: [{ key: specKeys.signing, box: specKeys.sealing }],
      },
    ]);
    const hub = await startTestHub({ directory: () => directory });
    cleanups.push(() => hub.stop());
    const { toHex } = await import('../crypto/bytes.ts');
    await hub.hub.enrolments.enroll({ device: toHex(kitKeys.signing), identity: 'kit-01', role: 'kit' });
    await hub.hub.enrolments.enroll({
      device: toHex(specKeys.signing),
      identity: 'spec-ivanova',
      role: 'specialist',
    });
    const hubAddress = { url: hub.hub.url, certPem: hub.tls.cert };
    const liveness = { intervalMs: 300, timeoutMs: 2000 };

    // The simulated specialist as `npm start` runs it, answering direct offers on ranged ports.
    const wrtc = await wrtcPeerFactory();
    const ranged =
      (portRange: { min: number; max: number }): PeerFactory =>
      (config) =>
        wrtc({ ...config, portRange } as typeof config);
    const specEvents: LinkEvent[] = [];
    const spec: SimSpecialist = await startSimSpecialist({
      store: specS.store,
      orgKey: org.publicKey,
      directory,
      hub: hubAddress,
      direct: { factory: ranged(SPEC_PORTS) },
      liveness,
      onEvent: (e) => specEvents.push(e),
    });
    cleanups.push(() => spec.stop());
    // What the specialist answered each OFFER with (blocks already held): the resume point of
    // whichever carrier offers. A spy on the real inbox; nothing is replaced.
    const offers: { id: string; held: number }[] = [];
    const inbox = spec.endpoint.inbox;
    const begin = inbox.begin.bind(inbox);
    inbox.begin = async (...args) => {
      const answer = await begin(...args);
      offers.push({ id: args[0], held: answer.complete ? -1 : (answer.have?.count ?? 0) });
      return answer;
    };

    const kitEvents: KitLinkEvent[] = [];
    const kit: KitLink = await startKitLink({
      store: kitS.store,
      log: createLogger('silent'),
      orgKey: org.publicKey,
      hub: hubAddress,
      directory,
      onEvent: (e) => kitEvents.push(e),
      liveness,
      // A small window keeps the photo on the wire long enough to be cut mid-way on loopback.
      pacing: { maxWindow: 64 * 1024 },
      direct: {
        factory: ranged(KIT_PORTS),
        connectTimeoutMs: 3000,
        minBackoffMs: 200,
        maxBackoffMs: 1000,
      },
    });
    cleanups.push(() => kit.stop());
    const directUp = (): boolean => kit.direct?.links.get('spec-ivanova')?.status.state === 'up';
    const received = (itemId: string): number =>
      specEvents.filter((e) => e.type === 'received' && e.entry.itemId === itemId).length;
    const history = (itemId: string): string[] =>
      kit.endpoint.outbox.byItemId(itemId)?.history.map((h) => h.state) ?? [];

    // The first item names the specialist: the kit opens a direct path to its console.
    const first = await kit.send({ kind: 'vitals', to: 'spec-ivanova', body: encodeWire({ spo2: 93 }) });
    await until(directUp, { timeoutMs: 30_000, what: 'the direct path up' });
    await until(() => received(first.itemId) === 1, { timeoutMs: 20_000, what: 'the vitals received' });

    // A 3 MB photo (a stored blob) goes direct: no hub session carries it while the direct one runs.
    const blob = await kitS.store.putBlob({ kind: 'photo', mediaType: 'image/jpeg' }, [
      new Uint8Array(randomBytes(3 * 1024 * 1024)),
    ]);
    const photo = await kit.send({
      kind: 'photo',
      to: 'spec-ivanova',
      attachmentId: blob.id,
      media: 'image/jpeg',
    });
    await until(() => (kit.endpoint.outbox.byItemId(photo.itemId)?.bytesAcked ?? 0) >= 256 * 1024, {
      timeoutMs: 30_000,
      intervalMs: 2,
      what: 'the photo under way directly',
    });
    const directSession = kit.direct!.links.get('spec-ivanova')!.session!;
    block();
    const atCut = kit.endpoint.outbox.byItemId(photo.itemId)!;
    expect(atCut.state).toBe('sending'); // mid-transfer, not already across
    expect(directSession.sender!.bytesSent).toBeGreaterThanOrEqual(256 * 1024);

    // Heartbeats notice, the one ICE restart fails, the session ends: the hub takes the photo.
    await until(() => kit.endpoint.directPeers.length === 0, {
      timeoutMs: 20_000,
      what: 'the direct session declared lost',
    });
    // The kit (the offerer) tried its one ICE restart on this connection before giving it up.
    expect((directSession.conn as RtcConnection).restarts).toBe(1);
    await until(() => received(photo.itemId) === 1, {
      timeoutMs: 60_000,
      what: 'the photo received through the hub',
    });
    expect(history(photo.itemId)).toContain('at_hub');
    // The hub's copy went to the specialist from where the direct path stopped: its offer was
    // answered with at least every block the kit had seen acknowledged directly.
    const photoOffers = offers.filter((o) => o.id === atCut.envelopeId);
    expect(photoOffers.length).toBeGreaterThanOrEqual(2);
    expect(photoOffers[0]!.held).toBe(0);
    const resumedAt = photoOffers[photoOffers.length - 1]!.held;
    expect(resumedAt * BLOCK_BYTES).toBeGreaterThanOrEqual(atCut.bytesAcked);
    console.log(
      `link-direct-fallback: cut at ${atCut.bytesAcked} of ${atCut.size} bytes acknowledged directly; the hub's offer resumed at block ${resumedAt} of ${Math.ceil(atCut.size / BLOCK_BYTES)}`,
    );
    // Meanwhile the kit kept trying new peer connections (backoff), none got through.
    const directLink = kit.direct!.links.get('spec-ivanova')!;
    await until(() => directLink.status.state === 'down', { timeoutMs: 10_000, what: 'a failed retry' });
    const sessionsWhileBlocked = directLink.sessions;

    // The path returns: a new RTCPeerConnection comes up and the next item goes direct again.
    unblock();
    await until(directUp, { timeoutMs: 30_000, what: 'the direct path rebuilt' });
    expect(directLink.sessions).toBe(sessionsWhileBlocked + 1);
    const after = await kit.send({
      kind: 'message',
      to: 'spec-ivanova',
      body: encodeWire({ text: 'Связь восстановлена' }),
    });
    await until(() => received(after.itemId) === 1, { timeoutMs: 20_000, what: 'the message received' });
    await until(() => history(after.itemId).includes('delivered'), {
      timeoutMs: 20_000,
      what: 'the message delivered',
    });
    expect(history(after.itemId)).not.toContain('at_hub');

    // Exactly once: every item received once at the specialist, and nothing else arrived.
    for (const item of [first, photo, after]) expect(received(item.itemId)).toBe(1);
    const kinds = specEvents.flatMap((e) => (e.type === 'received' ? [e.entry.kind] : []));
    expect(kinds.sort()).toEqual(['message', 'photo', 'vitals']);
    // The stored inbox reads back too (a 3 MB photo is kept in pieces, not one oversized record).
    const stored = await spec.endpoint.inbox.entries();
    expect(stored.map((e) => e.kind).sort()).toEqual(['message', 'photo', 'vitals']);
    expect(stored.find((e) => e.itemId === photo.itemId)?.body.byteLength).toBe(3 * 1024 * 1024);
  }, 180_000);
});
