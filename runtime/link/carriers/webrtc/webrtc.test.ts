import { afterAll, expect, it } from 'vitest';
import { runCarrierTests } from '../../../../test/carrier-acceptance.ts';
import type { TestHub } from '../../../../test/helpers/link-world.ts';
import { startTestHub, testDevice } from '../../../../test/helpers/link-world.ts';
import type { CarrierConnection } from '../../carrier.ts';
import { HubSocketCarrier } from '../hub-socket/hub-socket-carrier.ts';
import { openPeers, wrtcPeerFactory } from './peer.ts';
import type { RtcConnection } from './rtc-connection.ts';
import { SignalingClient } from './signaling-client.ts';
import { WebRtcAnswerer, WebRtcCarrier } from './webrtc-carrier.ts';

// Real @roamhq/wrtc peers on loopback, signaled through the real hub (TLS WebSocket). The silent
// cut (and the ICE restart it provokes) needs a shaped link: that is the network-namespace test's.
let fixtures = 0;
runCarrierTests('webrtc (direct)', async () => {
  fixtures++;
  const hub: TestHub = await startTestHub();
  const kit = await testDevice();
  const spec = await testDevice();
  await hub.hub.enrolments.enroll({ device: kit.hex, identity: 'kit-01', role: 'kit' });
  await hub.hub.enrolments.enroll({ device: spec.hex, identity: 'spec-01', role: 'specialist' });
  const signalingOf = (signer: typeof kit.signer): SignalingClient => {
    const auth = new HubSocketCarrier({ url: hub.hub.url, certPem: hub.tls.cert, signer });
    return new SignalingClient({
      url: hub.hub.url,
      certPem: hub.tls.cert,
      authenticate: (s) => auth.authenticate(s),
    });
  };
  const factory = await wrtcPeerFactory();
  const kitSignal = signalingOf(kit.signer);
  const specSignal = signalingOf(spec.signer);
  const answerer = new WebRtcAnswerer({ signaling: specSignal, factory, connectTimeoutMs: 8000 });
  await answerer.start();
  const waiting: ((conn: CarrierConnection) => void)[] = [];
  answerer.onConnection((conn) => waiting.shift()?.(conn));
  const carrier = new WebRtcCarrier('spec-01', { signaling: kitSignal, factory, connectTimeoutMs: 8000 });
  return {
    async pair() {
      const far = new Promise<CarrierConnection>((resolve) => waiting.push(resolve));
      const near = await carrier.connect();
      return { near, far: await far };
    },
    kill: (near) => (near as RtcConnection).kill(),
    async teardown() {
      answerer.stop();
      await kitSignal.stop();
      await specSignal.stop();
      expect(kitSignal.listenerCount + specSignal.listenerCount).toBe(0);
      await hub.stop();
      // Every RTCPeerConnection made by this fixture was closed (handles counted).
      expect(openPeers.count).toBe(0);
    },
  };
});

it('an offer to an identity with no device online fails fast as unreachable', async () => {
  const hub = await startTestHub();
  const kit = await testDevice();
  await hub.hub.enrolments.enroll({ device: kit.hex, identity: 'kit-01', role: 'kit' });
  const auth = new HubSocketCarrier({ url: hub.hub.url, certPem: hub.tls.cert, signer: kit.signer });
  const signaling = new SignalingClient({
    url: hub.hub.url,
    certPem: hub.tls.cert,
    authenticate: (s) => auth.authenticate(s),
  });
  const carrier = new WebRtcCarrier('spec-01', { signaling, factory: await wrtcPeerFactory() });
  const started = Date.now();
  await expect(carrier.connect()).rejects.toMatchObject({ code: 'unreachable' });
  expect(Date.now() - started).toBeLessThan(3000);
  expect(openPeers.count).toBe(0);
  await signaling.stop();
  await hub.stop();
});

afterAll(() => expect(fixtures).toBeGreaterThan(0));
