import type { Directory } from '../../crypto/directory.ts';
import { decryptEnvelope } from '../../crypto/envelope.ts';
import { parseSignedItem } from '../../crypto/signed-item.ts';
import { decodeWire } from '../../crypto/wire-cbor.ts';
import type { CarrierConnection } from '../../runtime/link/carrier.ts';
import type { PeerFactory } from '../../runtime/link/carriers/webrtc/peer.ts';
import type { SignalingClient } from '../../runtime/link/carriers/webrtc/signaling-client.ts';
import { WebRtcCarrier } from '../../runtime/link/carriers/webrtc/webrtc-carrier.ts';
import { nodeCompressor } from '../../runtime/link/compression.ts';
import type { EndpointIdentity } from '../../runtime/link/endpoint-identity.ts';
import { PROBE_CHUNKS, callLinkKbps } from '../../runtime/link/live/call-policy.ts';
import type { LiveToKit } from '../../runtime/link/live/live-wire.ts';
import {
  LIVE_BEAT_MS,
  LIVE_QUIET_MS,
  LIVE_SESSION_PREFIX,
  LiveToConsole,
  decodeLive,
  encodeLive,
  watchSigned,
} from '../../runtime/link/live/live-wire.ts';
import type { ProbeResult } from '../../runtime/link/live/probe-meter.ts';
import { ProbeMeter } from '../../runtime/link/live/probe-meter.ts';
import { verifyItem } from '../../runtime/link/verify-item.ts';

/** One reading the kit streamed, opened and verified (as the console's live strip shows it). */
export interface SimLiveReading {
  readonly id: string;
  readonly loinc: string;
  readonly value: number | null;
  readonly unit: string | null;
  readonly effectiveAt: string;
}

/** What {@link SimLiveWatcher} needs from the simulated specialist. */
export interface SimLiveOptions {
  readonly signaling: SignalingClient;
  readonly factory?: PeerFactory | (() => Promise<PeerFactory>);
  readonly identity: EndpointIdentity;
  /** The directory the specialist pinned, and its own identity id in it. */
  readonly directory: () => Directory | undefined;
  readonly me: () => string | undefined;
  readonly onReading?: (kit: string, reading: SimLiveReading) => void;
  readonly log: (message: string, detail?: Record<string, unknown>) => void;
}

/** Live channels the simulated specialist keeps at once (one per consultation it watches). */
const MAX_WATCHED = 4;

/**
 * The simulated specialist's live session, as the console runs it (pwa/console/app/live): a
 * direct data channel to the kit that sent a consultation (its wrtc offering through the hub's
 * signaling, session `live:…`), a watch request signed with the specialist's device key, the
 * link probe, and every reading the kit streams opened and verified against the pinned
 * directory (a vitals item signed by a device of that kit, referring to that consultation).
 * Anything else is counted as refused. A channel that falls silent is closed; it is not reopened
 * (the console retries; the simulation watches each consultation once).
 */
export class SimLiveWatcher {
  readonly #o: SimLiveOptions;
  readonly #channels = new Map<string, CarrierConnection>();
  /** Readings received, newest last (at most 200 kept). */
  readonly readings: SimLiveReading[] = [];
  /** Readings refused (did not verify, or not of the watched consultation). */
  refused = 0;
  /** The last probe's result, and the link a call would be decided on. */
  probe: ProbeResult | null = null;
  callKbps: number | null = null;
  #stopped = false;

  constructor(options: SimLiveOptions) {
    this.#o = options;
  }

  /** Channels open now. */
  get open(): number {
    return this.#channels.size;
  }

  /** Opens a live channel to `kit` and watches `consultation`'s visit (resolves once asked). */
  async watch(kit: string, consultation: string): Promise<void> {
    if (this.#stopped || this.#channels.has(consultation) || this.#channels.size >= MAX_WATCHED) return;
    const carrier = new WebRtcCarrier(kit, {
      signaling: this.#o.signaling,
      ...(this.#o.factory ? { factory: this.#o.factory } : {}),
      sessionPrefix: LIVE_SESSION_PREFIX,
      // The kit beats every 2 s: silence shorter than that is no reason for an ICE restart.
      restartAfterMs: LIVE_QUIET_MS,
    });
    const conn = await carrier.connect();
    if (this.#stopped) {
      conn.close('stopping');
      return;
    }
    const session = 'session' in conn && typeof conn.session === 'string' ? conn.session : '';
    this.#channels.set(consultation, conn);
    const send = (m: LiveToKit): void => {
      if (!conn.closed) conn.send(encodeLive(m));
    };
    let lastHeard = Date.now();
    let meter: ProbeMeter | undefined;
    let chain: Promise<void> = Promise.resolve();
    const beat = setInterval(() => {
      if (Date.now() - lastHeard > LIVE_QUIET_MS)
        return conn.close(`no word from the kit for ${LIVE_QUIET_MS} ms`);
      send({ t: 'beat' });
    }, LIVE_BEAT_MS);
    beat.unref();
    conn.onClose(() => {
      clearInterval(beat);
      if (this.#channels.get(consultation) === conn) this.#channels.delete(consultation);
      this.#o.log('simulated specialist: live channel closed', { kit, consultation });
    });
    conn.onFrame((frame) => {
      lastHeard = Date.now();
      let m: LiveToConsole;
      try {
        m = decodeLive(LiveToConsole, frame);
      } catch (error) {
        return conn.close(`protocol: ${String(error)}`);
      }
      if (m.t === 'watching') {
        this.#o.log('simulated specialist: watching live vitals', { kit, consultation });
        meter = new ProbeMeter(PROBE_CHUNKS, performance.now());
        send({ t: 'probe', n: PROBE_CHUNKS });
        this.callKbps = m.linkKbps;
      } else if (m.t === 'probe') {
        const result = meter?.chunk(m.i, frame.byteLength, performance.now());
        if (!result) return;
        meter = undefined;
        this.probe = result;
        this.callKbps = callLinkKbps(result.kbps, this.callKbps);
        send({ t: 'link', kbps: this.callKbps ?? result.kbps, rttMs: result.rttMs });
        this.#o.log('simulated specialist: measured the direct path', { kit, ...result });
      } else if (m.t === 'refused') {
        this.#o.log('simulated specialist: the kit refused the live watch', { kit, detail: m.detail });
        conn.close('refused');
      } else if (m.t === 'vital')
        chain = chain.then(() => this.#vital(kit, consultation, m.env)).catch(() => undefined);
    });
    const at = Date.now();
    const sig = await this.#o.identity.signer.sign(watchSigned(consultation, session, at));
    send({ t: 'watch', consultation, at, sig });
  }

  async #vital(kit: string, consultation: string, env: Uint8Array): Promise<void> {
    const refuse = (why: string): void => {
      this.refused++;
      this.#o.log('simulated specialist: refused a live reading', { kit, why });
    };
    let d;
    try {
      d = await decryptEnvelope(env, this.#o.identity.openers, nodeCompressor);
    } catch (error) {
      return refuse(String(error));
    }
    const fields = parseSignedItem(d.signed);
    const me = this.#o.me();
    const verdict = await verifyItem(fields, d.signed, d.signature, {
      directory: this.#o.directory(),
      sentRecords: () => undefined,
      header: d.header,
    });
    if (!verdict.verified) return refuse(verdict.reasons.join('; '));
    if (fields.kind !== 'vitals' || fields.from !== kit || fields.ref !== consultation || fields.to !== me)
      return refuse('not a reading of the watched consultation');
    const decoded = decodeWire(fields.body);
    const o = decoded.ok ? (decoded.value as Record<string, unknown>) : undefined;
    if (!o || typeof o.id !== 'string' || typeof o.loinc !== 'string') return refuse('malformed reading');
    const reading: SimLiveReading = {
      id: o.id,
      loinc: o.loinc,
      value: typeof o.value === 'number' ? o.value : null,
      unit: typeof o.unit === 'string' ? o.unit : null,
      effectiveAt: typeof o.effectiveAt === 'string' ? o.effectiveAt : '',
    };
    this.readings.push(reading);
    if (this.readings.length > 200) this.readings.shift();
    this.#o.onReading?.(kit, reading);
    this.#o.log('simulated specialist: live reading', { kit, loinc: reading.loinc, value: reading.value });
  }

  /** Closes every channel. */
  stop(): void {
    this.#stopped = true;
    for (const conn of this.#channels.values()) conn.close('the specialist left');
    this.#channels.clear();
  }
}
