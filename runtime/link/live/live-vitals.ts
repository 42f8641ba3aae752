import { randomBytes } from 'node:crypto';
import { toHex } from '../../../crypto/bytes.ts';
import type { Directory } from '../../../crypto/directory.ts';
import { sealEnvelope } from '../../../crypto/envelope.ts';
import type { Signer } from '../../../crypto/signed-item.ts';
import { verifyDetached } from '../../../crypto/signed-item.ts';
import { encodeWire } from '../../../crypto/wire-cbor.ts';
import type { WireObservation } from '../../http/wire.ts';
import type { CarrierConnection } from '../carrier.ts';
import { priorityOf } from '../items.ts';
import { PROBE_CHUNK_BYTES, PROBE_MIN_INTERVAL_MS } from './call-policy.ts';
import type { LiveToConsole } from './live-wire.ts';
import {
  LIVE_BEAT_MS,
  LIVE_QUIET_MS,
  LiveToKit,
  WATCH_MAX_SKEW_MS,
  decodeLive,
  encodeLive,
  watchSigned,
} from './live-wire.ts';

/** Live channels one kit serves at once (a few specialists, each with a case or two open). */
export const MAX_LIVE_CHANNELS = 8;
/** How long a console's report of the link it measured is used for a call's offer. */
export const LINK_REPORT_MS = 10 * 60_000;

/** What a console measured of the link to this kit (the lowest of its probe and the kit's own). */
export interface LinkReport {
  readonly kbps: number;
  readonly rttMs: number | null;
  readonly at: number;
}

/** What the live service needs from the rest of the kit. */
export interface LiveVitalsOptions {
  /** The directory the kit pinned (who may watch, and whom to seal for). */
  readonly directory: () => Directory | undefined;
  /** The kit's identity id in the directory, and its signing key. */
  readonly me: () => string | undefined;
  readonly signer: Signer;
  /**
   * The visit of a consultation this kit sent (by item id), if the specialist may see it: it was
   * addressed to them, or to a team or specialty they belong to.
   */
  readonly visitOf: (consultationItemId: string) => { visitId: string; to: string } | undefined;
  /** Subscribes to readings as they are stored in a visit; returns the unsubscribe. */
  readonly onObservations: (listener: (records: readonly WireObservation[]) => void) => () => void;
  /** The kit's measured uplink in kbit/s, or null. */
  readonly linkKbps: () => number | null;
  /**
   * Test-only: sends the probe's chunks paced at this many bytes/s instead of back to back,
   * standing in for a narrow uplink where the test cannot shape the path (the direct path is UDP
   * between Chromium and the kit's wrtc on one shared loopback). The console's measurement of
   * what arrives, and everything decided from it, run unchanged. Unset in the product.
   */
  readonly probePace?: number;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * The kit's side of live sessions: each direct channel a console opened (signaled through the
 * hub, answered by the kit's wrtc) may ask, with a request signed by one of the specialist's
 * directory devices, to watch the visit of a consultation sent to that specialist. From then on
 * every reading stored in that visit goes out at once as a signed `vitals` item sealed to the
 * specialist (the link's usual envelope), so neither the hub nor anyone on the path can read or
 * forge it. Both sides beat every {@link LIVE_BEAT_MS}; a channel silent for {@link LIVE_QUIET_MS}
 * is closed (the binding's readyState is never trusted).
 */
export class LiveVitals {
  readonly #o: LiveVitalsOptions;
  readonly #channels = new Set<LiveChannelServer>();
  /** Console devices' reports (hex key -> report), newest only, at most one per device. */
  readonly #reports = new Map<string, LinkReport>();

  constructor(options: LiveVitalsOptions) {
    this.#o = options;
  }

  /**
   * What the console device `device` (hex) last measured of the link, if recent: a call it
   * offers is rung with this figure so the tablet can say why it is audio only.
   */
  linkOf(device: string, now = Date.now()): LinkReport | undefined {
    const r = this.#reports.get(device);
    return r && now - r.at <= LINK_REPORT_MS ? r : undefined;
  }

  /** Channels open now. */
  get open(): number {
    return this.#channels.size;
  }

  /** Takes a newly opened direct channel from the answerer (refused beyond the limit). */
  serve(conn: CarrierConnection, session: string): void {
    if (this.#channels.size >= MAX_LIVE_CHANNELS) {
      conn.close('too many live channels');
      return;
    }
    const device = toHex(conn.remote.signingKey);
    const ch = new LiveChannelServer(conn, session, this.#o, (kbps, rttMs) => {
      this.#reports.delete(device);
      this.#reports.set(device, { kbps, rttMs, at: Date.now() });
      while (this.#reports.size > 64) this.#reports.delete(this.#reports.keys().next().value!);
    });
    this.#channels.add(ch);
    conn.onClose(() => this.#channels.delete(ch));
  }

  /** Closes every channel. */
  stop(): void {
    for (const ch of [...this.#channels]) ch.close('kit stopping');
  }
}

class LiveChannelServer {
  readonly #conn: CarrierConnection;
  readonly #session: string;
  readonly #o: LiveVitalsOptions;
  readonly #timer: NodeJS.Timeout;
  readonly #onLink: (kbps: number, rttMs: number | null) => void;
  #lastHeard = Date.now();
  #lastProbe = -Infinity;
  #probeTimers: NodeJS.Timeout[] = [];
  #unwatch: (() => void) | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(
    conn: CarrierConnection,
    session: string,
    o: LiveVitalsOptions,
    onLink: (kbps: number, rttMs: number | null) => void,
  ) {
    this.#conn = conn;
    this.#onLink = onLink;
    this.#session = session;
    this.#o = o;
    conn.onFrame((frame) => this.#onFrame(frame));
    conn.onClose(() => this.#cleanup());
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastHeard > LIVE_QUIET_MS)
        return this.close(`no message for ${LIVE_QUIET_MS} ms`);
      this.#send({ t: 'beat' });
    }, LIVE_BEAT_MS);
    this.#timer.unref();
  }

  close(reason: string): void {
    this.#cleanup();
    this.#conn.close(reason);
  }

  #cleanup(): void {
    clearInterval(this.#timer);
    for (const t of this.#probeTimers) clearTimeout(t);
    this.#probeTimers = [];
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  #send(message: LiveToConsole): void {
    if (!this.#conn.closed) this.#conn.send(encodeLive(message));
  }

  #onFrame(frame: Uint8Array): void {
    this.#lastHeard = Date.now();
    let msg: LiveToKit;
    try {
      msg = decodeLive(LiveToKit, frame);
    } catch (error) {
      this.#o.log?.('live: refused a message', { detail: String(error) });
      return this.close('protocol: malformed live message');
    }
    if (msg.t === 'watch') this.#chain = this.#chain.then(() => this.#watch(msg)).catch(() => undefined);
    else if (msg.t === 'probe') this.#probe(msg.n);
    else if (msg.t === 'link') this.#onLink(msg.kbps, msg.rttMs);
  }

  /**
   * The direct path's probe: `n` chunks of padding back to back (the console times their
   * arrival). At most one per {@link PROBE_MIN_INTERVAL_MS}; a request sooner is not answered.
   */
  #probe(n: number): void {
    const now = Date.now();
    if (now - this.#lastProbe < PROBE_MIN_INTERVAL_MS) return;
    this.#lastProbe = now;
    const pad = new Uint8Array(PROBE_CHUNK_BYTES);
    const pace = this.#o.probePace;
    if (!pace) {
      for (let i = 0; i < n; i++) this.#send({ t: 'probe', i, n, pad });
      return;
    }
    // Paced like a narrow line: each chunk leaves one chunk's time after the previous one left
    // (a late timer only spreads them further, as a busy line would).
    const next = (i: number): void => {
      this.#send({ t: 'probe', i, n, pad });
      if (i + 1 >= n) return;
      const t = setTimeout(() => next(i + 1), (PROBE_CHUNK_BYTES * 1000) / pace);
      t.unref();
      this.#probeTimers = [t];
    };
    next(0);
  }

  async #watch(msg: LiveToKit & { t: 'watch' }): Promise<void> {
    const refuse = (detail: string): void => {
      this.#o.log?.('live: watch refused', { detail, specialist: this.#conn.remote.identity });
      this.#send({ t: 'refused', detail });
    };
    const specialist = this.#conn.remote.identity ?? '';
    const key = this.#conn.remote.signingKey;
    const dir = this.#o.directory();
    if (!dir) return refuse('no directory on the kit');
    if (!dir.isDeviceOf(specialist, key) || dir.identity(specialist)?.role !== 'specialist')
      return refuse(`${specialist} has no such specialist device in directory ${dir.serial}`);
    if (Math.abs(Date.now() - msg.at) > WATCH_MAX_SKEW_MS) return refuse('the request is too old');
    if (!(await verifyDetached(msg.sig, watchSigned(msg.consultation, this.#session, msg.at), key)))
      return refuse('the request signature does not verify');
    const found = this.#o.visitOf(msg.consultation);
    if (!found || !(found.to === specialist || dir.recipientsOf(found.to).includes(specialist)))
      return refuse('no consultation of this kit for this specialist');
    const me = this.#o.me();
    const recipients = dir.sealingKeysFor(specialist);
    if (!me || recipients.length === 0) return refuse('the kit cannot seal for this specialist');
    this.#unwatch?.();
    let sending: Promise<void> = Promise.resolve();
    this.#unwatch = this.#o.onObservations((records) => {
      for (const o of records) {
        if (o.visitId !== found.visitId) continue;
        sending = sending.then(() => this.#sendVital(o, msg.consultation, me, specialist, recipients));
      }
    });
    this.#send({ t: 'watching', consultation: msg.consultation, linkKbps: this.#o.linkKbps() });
  }

  async #sendVital(
    o: WireObservation,
    consultation: string,
    me: string,
    to: string,
    recipients: Uint8Array[],
  ): Promise<void> {
    if (this.#conn.closed) return;
    try {
      const env = await sealEnvelope({
        item: {
          id: randomBytes(16),
          kind: 'vitals',
          from: me,
          to,
          at: Date.now(),
          pri: priorityOf('vitals'),
          ref: consultation,
          media: 'application/cbor',
          body: encodeWire(o),
        },
        signer: this.#o.signer,
        recipients,
      });
      this.#send({ t: 'vital', env: env.bytes });
    } catch (error) {
      this.#o.log?.('live: a reading could not be sealed', { detail: String(error) });
    }
  }
}
