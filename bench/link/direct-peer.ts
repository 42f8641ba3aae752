import { createInterface } from 'node:readline';
import { z } from 'zod';
import { fromHex, toHex } from '../../crypto/bytes.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import { wrtcPeerFactory } from '../../runtime/link/carriers/webrtc/peer.ts';
import { SignalingClient } from '../../runtime/link/carriers/webrtc/signaling-client.ts';
import { WebRtcAnswerer, WebRtcCarrier } from '../../runtime/link/carriers/webrtc/webrtc-carrier.ts';
import type { DeliveryRecord } from '../../runtime/link/delivery.ts';
import { rank } from '../../runtime/link/delivery.ts';
import { DirectLink } from '../../runtime/link/direct-link.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import type { ItemKind } from '../../runtime/link/items.ts';
import { testStore } from '../../test/helpers/link-world.ts';
import { backlog } from './backlog.ts';

/**
 * One end of the link bench's direct (WebRTC) run, as its own process inside a network
 * namespace: `kit` sends the backlog over a DirectLink, `console` answers and receives. They talk
 * to the parent over stdin/stdout, one JSON object a line:
 *
 *   -> {type:'identity', signing, sealing}     (hex; the parent enrols it and signs a directory)
 *   <- {type:'config', directory, orgKey, hubUrl, certPem, visits}
 *   -> {type:'ready'}                          (console: answering; kit: backlog sealed)
 *   <- {type:'go'}                             (kit only)
 *   -> {type:'done', ms, payload, bytesSent}   (kit: every item delivered to the console)
 *   <- {type:'stop'}                           -> the process cleans up and exits
 */
const role = process.argv[2];
if (role !== 'kit' && role !== 'console') throw new Error('usage: direct-peer.ts kit|console');

const Config = z.object({
  type: z.literal('config'),
  directory: z.string(),
  orgKey: z.string(),
  hubUrl: z.string(),
  certPem: z.string(),
  visits: z.number().int().min(1).max(50),
});
const Go = z.object({ type: z.enum(['go', 'stop']) });

const say = (msg: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(msg)}\n`);
const lines = createInterface({ input: process.stdin });
const inbox: unknown[] = [];
let wake: (() => void) | undefined;
lines.on('line', (l) => {
  inbox.push(JSON.parse(l) as unknown);
  wake?.();
});
async function next(): Promise<unknown> {
  while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
  return inbox.shift();
}

const { store, cleanup } = await testStore(role);
const id = store.publicIdentity;
say({ type: 'identity', signing: toHex(id.signing), sealing: toHex(id.sealing) });
const config = Config.parse(await next());
const records: DeliveryRecord[] = [];
let allDelivered: (() => void) | undefined;
const endpoint = new LinkEndpoint({
  store,
  identity: storeIdentity(store),
  orgKey: fromHex(config.orgKey)!,
  onEvent: (e) => {
    if (e.type === 'state' && records.length > 0) {
      const done = records.every(
        (r) => rank(endpoint.outbox.byItemId(r.itemId)?.state ?? 'stored') >= rank('delivered'),
      );
      if (done) allDelivered?.();
    }
  },
});
await endpoint.start(fromHex(config.directory));
const auth = new HubSocketCarrier({
  url: config.hubUrl,
  certPem: config.certPem,
  signer: storeIdentity(store).signer,
});
const signaling = new SignalingClient({
  url: config.hubUrl,
  certPem: config.certPem,
  authenticate: (s) => auth.authenticate(s),
});
const factory = await wrtcPeerFactory();

if (role === 'console') {
  const answerer = new WebRtcAnswerer({ signaling, factory });
  answerer.onConnection((conn) => endpoint.attach(conn, 'direct', conn.remote.identity));
  await answerer.start();
  say({ type: 'ready' });
  Go.parse(await next());
  answerer.stop();
} else {
  let payload = 0;
  for (const it of backlog(config.visits)) {
    payload += it.body.byteLength;
    records.push(
      await endpoint.send({
        kind: it.kind as ItemKind,
        to: 'spec-ivanova',
        body: it.body,
        ...(it.media ? { media: it.media } : {}),
        ...(it.urgent ? { urgent: true } : {}),
      }),
    );
  }
  await endpoint.outbox.sealed();
  await signaling.start();
  say({ type: 'ready' });
  Go.parse(await next());
  const delivered = new Promise<void>((r) => (allDelivered = r));
  const direct = new DirectLink(
    endpoint,
    new WebRtcCarrier('spec-ivanova', { signaling, factory, connectTimeoutMs: 15_000 }),
    'spec-ivanova',
    { minBackoffMs: 300, maxBackoffMs: 2000 },
  );
  const t0 = Date.now();
  direct.start();
  await delivered;
  say({ type: 'done', ms: Date.now() - t0, payload, ...endpoint.stats });
  Go.parse(await next());
  await direct.stop();
}
await endpoint.stop();
await signaling.stop();
auth.dispose();
await cleanup();
lines.close();
process.exit(0);
