import type { ClientOptions } from 'ws';
import { WebSocket } from 'ws';
import { expect, it } from 'vitest';
import { startTestHub, testDevice } from '../../../../test/helpers/link-world.ts';
import { HubSocketCarrier } from '../hub-socket/hub-socket-carrier.ts';
import { TOKEN_PROTOCOL, pinnedTlsOptions } from '../hub-socket/hub-protocol.ts';
import { SIGNAL_PATH, SIGNAL_PROTOCOL } from './signal-protocol.ts';
import type { SignalIn } from './signal-protocol.ts';
import { HUB_SIGNAL_LIMIT, TokenBucket } from './signal-rate.ts';
import { SignalingClient } from './signaling-client.ts';

it('the token bucket spends its burst, then refills at its rate', () => {
  let now = 0;
  const bucket = new TokenBucket({ burst: 3, perSecond: 10 }, () => now);
  expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  expect(bucket.waitMs()).toBe(100);
  now += 100;
  expect(bucket.take()).toBe(true);
  expect(bucket.take()).toBe(false);
  now += 10_000; // never more than the burst
  expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
});

// The real hub over TLS WebSockets. A raw client that ignores the limit is refused, and told so
// for its offer; our SignalingClient paces a larger burst so that every message is delivered.
it('the hub refuses a flooding client and says so for its offer; the paced client loses nothing', async () => {
  const hub = await startTestHub();
  const kit = await testDevice();
  const spec = await testDevice();
  await hub.hub.enrolments.enroll({ device: kit.hex, identity: 'kit-01', role: 'kit' });
  await hub.hub.enrolments.enroll({ device: spec.hex, identity: 'spec-01', role: 'specialist' });
  const clientOf = (signer: typeof kit.signer): SignalingClient => {
    const auth = new HubSocketCarrier({ url: hub.hub.url, certPem: hub.tls.cert, signer });
    return new SignalingClient({
      url: hub.hub.url,
      certPem: hub.tls.cert,
      authenticate: (s) => auth.authenticate(s),
    });
  };
  const received: SignalIn[] = [];
  const specSignal = clientOf(spec.signer);
  specSignal.on((m) => received.push(m));
  await specSignal.start();
  try {
    // 1. Our client: 3x the hub's burst at once, all delivered in order.
    const kitSignal = clientOf(kit.signer);
    await kitSignal.start();
    const n = HUB_SIGNAL_LIMIT.burst * 3;
    for (let i = 0; i < n; i++)
      expect(
        kitSignal.send({
          kind: 'bye',
          to: 'spec-01',
          session: `paced-${String(i).padStart(4, '0')}`,
          reason: '',
        }),
      ).toBe(true);
    expect(kitSignal.pacedCount).toBeGreaterThan(0);
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(n);
    expect(received.map((m) => ('session' in m ? m.session : ''))).toEqual(
      Array.from({ length: n }, (_, i) => `paced-${String(i).padStart(4, '0')}`),
    );
    await kitSignal.stop();

    // 2. A raw client with the same credentials that ignores the limit.
    const auth = new HubSocketCarrier({ url: hub.hub.url, certPem: hub.tls.cert, signer: kit.signer });
    const token = await auth.authenticate();
    const url = new URL(SIGNAL_PATH, hub.hub.url);
    url.protocol = 'wss:';
    const ws = new WebSocket(url, [SIGNAL_PROTOCOL, `${TOKEN_PROTOCOL}${token}`], {
      ...(pinnedTlsOptions(hub.tls.cert) as unknown as Pick<ClientOptions, 'ca' | 'checkServerIdentity'>),
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answers: SignalIn[] = [];
    ws.on('message', (d) => answers.push(JSON.parse(Buffer.from(d as Buffer).toString()) as SignalIn));
    const before = received.length;
    // Ten bursts' worth in one go: even on a loaded machine the hub takes far less than the 9 s
    // its bucket would need to refill that much, so the offer at the end meets an empty bucket.
    const flood = HUB_SIGNAL_LIMIT.burst * 10;
    for (let i = 0; i < flood; i++)
      ws.send(
        JSON.stringify({
          kind: 'bye',
          to: 'spec-01',
          session: `flood-${String(i).padStart(4, '0')}`,
          reason: '',
        }),
      );
    ws.send(JSON.stringify({ kind: 'offer', to: 'spec-01', session: 'flood-offer-0', sdp: 'v=0' }));
    await expect
      .poll(() => answers.find((a) => a.kind === 'refused'), { timeout: 10_000 })
      .toEqual({ kind: 'refused', detail: 'signaling rate exceeded', session: 'flood-offer-0' });
    // At most the burst (plus what refilled meanwhile) went through; the offer did not.
    expect(received.length - before).toBeLessThan(flood);
    expect(received.some((m) => 'session' in m && m.session === 'flood-offer-0')).toBe(false);
    ws.terminate();
  } finally {
    await specSignal.stop();
    await hub.stop();
  }
});
