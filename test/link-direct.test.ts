import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { CarrierConnection } from '../runtime/link/carrier.ts';
import { openPeers, wrtcPeerFactory } from '../runtime/link/carriers/webrtc/peer.ts';
import type { RtcConnection } from '../runtime/link/carriers/webrtc/rtc-connection.ts';
import { SignalingClient } from '../runtime/link/carriers/webrtc/signaling-client.ts';
import { WebRtcAnswerer, WebRtcCarrier } from '../runtime/link/carriers/webrtc/webrtc-carrier.ts';
import type { DeliveryRecord } from '../runtime/link/delivery.ts';
import { DirectLink } from '../runtime/link/direct-link.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

// Real @roamhq/wrtc peers on loopback, signaled through the real hub. The kit's hub link stays
// off, so everything crosses the direct path. (The shaped, namespaced version of this is the
// bench's to-do: WebRTC needs its peers inside the namespaces.)
describe('store-and-forward over the direct carrier', () => {
  it('delivers a backlog exactly once, urgent first; a dead path is rebuilt with a new peer connection', async () => {
    const world: LinkWorld = await linkWorld({ startKit: false });
    const { kit, spec } = world;
    const factory = await wrtcPeerFactory();
    const signalingFor = (store: typeof kit.store): SignalingClient => {
      const auth = world.carrierFor(store);
      return new SignalingClient({
        url: world.hub.hub.url,
        certPem: world.hub.tls.cert,
        authenticate: (s) => auth.authenticate(s),
      });
    };
    const kitSignal = signalingFor(kit.store);
    const specSignal = signalingFor(spec.store);
    const answerer = new WebRtcAnswerer({ signaling: specSignal, factory });
    const specConns: CarrierConnection[] = [];
    answerer.onConnection((conn) => {
      specConns.push(conn);
      spec.endpoint.attach(conn, 'direct', conn.remote.identity);
    });
    await answerer.start();
    const direct = new DirectLink(
      kit.endpoint,
      new WebRtcCarrier('spec-ivanova', { signaling: kitSignal, factory, connectTimeoutMs: 8000 }),
      'spec-ivanova',
      { minBackoffMs: 200, maxBackoffMs: 1000 },
    );
    cleanup = async () => {
      await direct.stop();
      answerer.stop();
      await kitSignal.stop();
      await specSignal.stop();
      await world.stop();
      expect(openPeers.count).toBe(0);
    };

    const sent: DeliveryRecord[] = [];
    for (let i = 0; i < 3; i++)
      sent.push(
        await kit.endpoint.send({
          kind: 'photo',
          to: 'spec-ivanova',
          body: new Uint8Array(randomBytes(150_000)),
          media: 'image/jpeg',
        }),
      );
    sent.push(
      await kit.endpoint.send({ kind: 'vitals', to: 'spec-ivanova', body: encodeWire({ spo2: 91 }) }),
    );
    const urgent = await kit.endpoint.send({
      kind: 'consultation',
      urgent: true,
      to: 'spec-ivanova',
      body: encodeWire({ q: 'Срочно: одышка' }),
    });
    sent.push(urgent);
    await kit.endpoint.outbox.sealed();
    direct.start();

    // Once the first photo is under way, the path dies without a word (the console side's peer
    // connection is destroyed): heartbeats notice, and the kit builds a new RTCPeerConnection.
    await kit.watched.untilState(sent[0]!.itemId, 'sending', 20_000);
    (specConns[0] as RtcConnection).kill();
    for (const rec of sent)
      await spec.watched.until(
        (e): e is Extract<typeof e, { type: 'received' }> =>
          e.type === 'received' && e.entry.itemId === rec.itemId,
        60_000,
      );
    expect(direct.sessions).toBeGreaterThanOrEqual(2);
    const received = spec.watched.received();
    expect(received.map((e) => e.itemId).sort()).toEqual(sent.map((r) => r.itemId).sort());
    expect(received.every((e) => e.verdict.verified)).toBe(true);
    const order = received.map((e) => e.itemId);
    expect(order.indexOf(urgent.itemId)).toBeLessThan(order.indexOf(sent[1]!.itemId));
    // The kit never connected to the hub's mailbox: all of it crossed the direct path. (The
    // console's receipts wait at the hub for the kit, which is how they travel by design.)
    expect(kit.link.sessions).toBe(0);
  }, 90_000);
});
