import { randomBytes } from 'node:crypto';
import type { Directory } from '../../../crypto/directory.ts';
import { sealEnvelope } from '../../../crypto/envelope.ts';
import type { Signer } from '../../../crypto/signed-item.ts';
import { verifyDetached } from '../../../crypto/signed-item.ts';
import { encodeWire } from '../../../crypto/wire-cbor.ts';
import type { WireObservation } from '../../http/wire.ts';
import type { CarrierConnection } from '../carrier.ts';
import { priorityOf } from '../items.ts';
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

  constructor(options: LiveVitalsOptions) {
    this.#o = options;
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
    const ch = new LiveChannelServer(conn, session, this.#o);
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
  #lastHeard = Date.now();
  #unwatch: (() => void) | undefined;
  #chain: Promise<void> = Promise.resolve();

  constructor(conn: CarrierConnection, session: string, o: LiveVitalsOptions) {
    this.#conn = conn;
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
