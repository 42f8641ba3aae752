import { randomBytes } from 'node:crypto';
import { encodeWire, decodeWire } from '../../crypto/wire-cbor.ts';
import type { RecordStore } from '../../store/index.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import type { LinkEvent } from '../../runtime/link/endpoint.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import { rank } from '../../runtime/link/delivery.ts';
import { HubLink } from '../../runtime/link/hub-link.ts';
import type { PeerFactory } from '../../runtime/link/carriers/webrtc/peer.ts';
import { SignalingClient } from '../../runtime/link/carriers/webrtc/signaling-client.ts';
import { WebRtcAnswerer } from '../../runtime/link/carriers/webrtc/webrtc-carrier.ts';
import type { LivenessOptions } from '../../runtime/link/liveness.ts';
import type { HubLinkStatus } from '../../runtime/link/hub-link.ts';
import { ConsultationBody } from '../../runtime/link/items.ts';
import type { InboxEntry } from '../../runtime/link/link-inbox.ts';
import { acknowledgement, conclusionFor } from './answers.ts';
import type { SimLiveSession, SimLiveSettings } from './sim-live-session.ts';
import { startSimLiveSession } from './sim-live-session.ts';

/** Options of {@link startSimSpecialist}. */
export interface SimSpecialistOptions {
  /** The specialist device's own store (its identity keys, outbox, inbox). */
  readonly store: RecordStore;
  readonly orgKey: Uint8Array;
  /** A directory to pin at set-up. */
  readonly directory?: Uint8Array;
  readonly hub: { readonly url: string; readonly certPem: string };
  /** Pause before the 'read' receipt (default 1.5 s). */
  readonly readAfterMs?: number;
  /** Pause before the message and the signed conclusion (default 4 s). */
  readonly answerAfterMs?: number;
  /**
   * Faults the kit must show unverified: `badConclusionRate`, probability that a conclusion
   * carries a wrong record hash; `forgedReRate`, that its envelope's `re` names the previous
   * consultation from that sender (or an envelope nobody sent) instead of the one it answers.
   */
  readonly faults?: { readonly badConclusionRate?: number; readonly forgedReRate?: number };
  /** Random source (tests pass a seeded one). */
  readonly random?: () => number;
  readonly log?: (message: string, detail?: Record<string, unknown>) => void;
  /**
   * Direct WebRTC connections from kits, answered as a console does (on by default; `false`
   * leaves the hub as the only path). `factory` makes the peer connections (default @roamhq/wrtc).
   */
  readonly direct?: false | { readonly factory?: PeerFactory | (() => Promise<PeerFactory>) };
  /** Heartbeat timing of every session (defaults: ping after 2 s quiet, lost after 6 s). */
  readonly liveness?: LivenessOptions;
  /** Every event of the specialist's endpoint (tests count what it received). */
  readonly onEvent?: (event: LinkEvent) => void;
  /** The live session (vitals over the direct path, a call to the tablets); off by default. */
  readonly live?: SimLiveSettings;
}

/** A running simulated specialist. */
export interface SimSpecialist {
  readonly endpoint: LinkEndpoint;
  readonly link: HubLink;
  /** The answering end of the direct path (absent when turned off). */
  readonly answerer: WebRtcAnswerer | undefined;
  /** The live session's parts (absent unless asked for, and without direct paths). */
  readonly live: SimLiveSession | undefined;
  /** Consultations answered so far. */
  answered(): number;
  stop(): Promise<void>;
}

/**
 * A simulated remote specialist: a real client of the link protocol (its own device keys in its
 * own store, the hub socket, the pinned directory), not a mock. It reads every verified
 * consultation addressed to it, signs a 'read' receipt, answers with a message and a signed
 * conclusion bound to the SHA-256 of each record it refers to (each reply naming the
 * consultation's envelope in `re`, as the console's do), and says 'answered'. A
 * consultation that does not verify is left unanswered (and logged).
 */
export async function startSimSpecialist(options: SimSpecialistOptions): Promise<SimSpecialist> {
  const log = options.log ?? (() => undefined);
  const random = options.random ?? Math.random;
  const timers = new Set<NodeJS.Timeout>();
  let answered = 0;
  let stopped = false;
  // 'answered' receipts wait until their conclusion is at the hub, so a kit never shows a
  // consultation answered before the answer can reach it.
  const answeredOnceAtHub = new Map<string, { envelopeId: string; to: string }>();
  /** The last consultation's envelope id per sender (what a forged `re` points at). */
  const lastConsultation = new Map<string, string>();
  const later = (ms: number, fn: () => Promise<void>): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped)
        fn().catch((e: unknown) => log('simulated specialist: could not answer', { error: String(e) }));
    }, ms);
    timers.add(t);
  };
  const onConsultation = (entry: InboxEntry): void => {
    if (!entry.verdict.verified) {
      log('simulated specialist: consultation did not verify; not answering', {
        reasons: entry.verdict.reasons,
      });
      return;
    }
    const decoded = decodeWire(entry.body);
    const body = decoded.ok ? ConsultationBody.safeParse(decoded.value) : undefined;
    if (!body?.success) {
      log('simulated specialist: consultation body does not match its schema');
      return;
    }
    live?.onConsultation(entry.from, entry.itemId);
    const previous = lastConsultation.get(entry.from);
    lastConsultation.set(entry.from, entry.envelopeId);
    const readAfter = options.readAfterMs ?? 1500;
    const answerAfter = options.answerAfterMs ?? 4000;
    later(readAfter, async () => {
      await endpoint.sendReceipt(entry.envelopeId, entry.from, 'read');
      await endpoint.send({
        kind: 'message',
        to: entry.from,
        ref: entry.itemId,
        re: entry.envelopeId,
        body: encodeWire({ text: acknowledgement(body.data) }),
        media: 'application/cbor',
      });
    });
    later(answerAfter, async () => {
      const tamper = random() < (options.faults?.badConclusionRate ?? 0);
      const forgeRate = options.faults?.forgedReRate ?? 0;
      const forged = forgeRate > 0 && random() < forgeRate;
      const sent = await endpoint.send({
        kind: 'conclusion',
        to: entry.from,
        ref: entry.itemId,
        re: forged ? (previous ?? randomBytes(32).toString('hex')) : entry.envelopeId,
        body: encodeWire(conclusionFor(body.data, tamper)),
        media: 'application/cbor',
      });
      answeredOnceAtHub.set(sent.itemId, { envelopeId: entry.envelopeId, to: entry.from });
      answered++;
      log('simulated specialist: answered a consultation', {
        from: entry.from,
        tampered: tamper || undefined,
        forgedRe: forged || undefined,
      });
    });
  };
  const endpoint = new LinkEndpoint({
    store: options.store,
    identity: storeIdentity(options.store),
    orgKey: options.orgKey,
    onEvent: (e: LinkEvent) => {
      options.onEvent?.(e);
      if (e.type === 'received' && e.entry.kind === 'consultation') onConsultation(e.entry);
      if (e.type === 'state' && rank(e.record.state) >= rank('at_hub')) {
        const receipt = answeredOnceAtHub.get(e.record.itemId);
        if (!receipt) return;
        answeredOnceAtHub.delete(e.record.itemId);
        endpoint
          .sendReceipt(receipt.envelopeId, receipt.to, 'answered')
          .catch((error: unknown) =>
            log('simulated specialist: could not say answered', { error: String(error) }),
          );
      }
    },
    ...(options.liveness ? { liveness: options.liveness } : {}),
  });
  await endpoint.start(options.directory);
  const carrier = new HubSocketCarrier({
    url: options.hub.url,
    certPem: options.hub.certPem,
    signer: storeIdentity(options.store).signer,
  });
  const link = new HubLink(endpoint, carrier, {
    onStatus: (s: HubLinkStatus) => {
      if (s.state === 'up')
        log('simulated specialist: connected to the hub', { identity: endpoint.identityId });
    },
  });
  link.start();
  // Kits online with us open direct paths through the hub's signaling; we answer like a console.
  let signaling: SignalingClient | undefined;
  let answerer: WebRtcAnswerer | undefined;
  let live: SimLiveSession | undefined;
  if (options.direct !== false) {
    signaling = new SignalingClient({
      url: options.hub.url,
      certPem: options.hub.certPem,
      authenticate: (signal) => carrier.authenticate(signal),
    });
    answerer = new WebRtcAnswerer({
      signaling,
      ...(options.direct?.factory ? { factory: options.direct.factory } : {}),
    });
    answerer.onConnection((conn) => {
      log('simulated specialist: direct path from a kit', { from: conn.remote.identity });
      endpoint.attach(conn, 'direct', conn.remote.identity);
    });
    answerer
      .start()
      .catch((error: unknown) =>
        log('simulated specialist: no direct path (signaling failed)', { error: String(error) }),
      );
    if (options.live)
      live = startSimLiveSession({
        settings: options.live,
        signaling,
        ...(options.direct?.factory ? { factory: options.direct.factory } : {}),
        identity: storeIdentity(options.store),
        directory: () => endpoint.pin.current,
        me: () => endpoint.identityId,
        log,
      });
  }
  return {
    endpoint,
    link,
    answerer,
    live,
    answered: () => answered,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      live?.stop();
      answerer?.stop();
      await signaling?.stop();
      await link.stop();
      await endpoint.stop();
    },
  };
}
