import { randomUUID } from 'node:crypto';
import { fromHex } from '../../../../crypto/bytes.ts';
import type { Carrier, CarrierConnection } from '../../carrier.ts';
import { CarrierError } from '../../carrier.ts';
import type { DataChannelLike, IceCandidate, PeerConnectionLike, PeerFactory } from './peer.ts';
import { RtcConnection, candidateOf } from './rtc-connection.ts';
import type { SignalIn } from './signal-protocol.ts';
import type { SignalingClient } from './signaling-client.ts';

/** The data channel's label. */
export const CHANNEL_LABEL = 'fieldkit-link';

/** Options shared by both ends. */
export interface WebRtcOptions {
  readonly signaling: SignalingClient;
  /** Makes peer connections (default: @roamhq/wrtc, loaded lazily). */
  readonly factory?: PeerFactory | (() => Promise<PeerFactory>);
  /** STUN/TURN servers (none on a LAN). */
  readonly iceServers?: { urls: string | string[] }[];
  /** Budget for offer, answer, ICE and the channel opening (default 15 s). */
  readonly connectTimeoutMs?: number;
  /** Silence before the offerer's one ICE restart (default 1500 ms). */
  readonly restartAfterMs?: number;
  /** What the offerer's signaling sessions start with (default none; live channels use `live:`). */
  readonly sessionPrefix?: string;
}

async function resolveFactory(f: WebRtcOptions['factory']): Promise<PeerFactory> {
  if (!f) return (await import('./peer.ts')).wrtcPeerFactory();
  return f.length === 0 ? (f as () => Promise<PeerFactory>)() : (f as PeerFactory);
}

/** Buffers ICE candidates that arrive before the remote description is set. */
class CandidateQueue {
  #ready = false;
  #queued: IceCandidate[] = [];
  constructor(readonly pc: PeerConnectionLike) {}
  async add(c: IceCandidate): Promise<void> {
    if (this.#ready) await this.pc.addIceCandidate(c).catch(() => undefined);
    else this.#queued.push(c);
  }
  async flush(): Promise<void> {
    this.#ready = true;
    for (const c of this.#queued.splice(0)) await this.pc.addIceCandidate(c).catch(() => undefined);
  }
}

/**
 * The direct carrier, initiating end (the kit): each connect() builds a new RTCPeerConnection,
 * offers it through the hub's signaling to the peer identity (a console), and resolves once the
 * data channel opens. The peer's identity is the hub-authenticated sender of the answer; the
 * link's envelopes are signed and sealed end to end, so the hub can at worst deny the path.
 */
export class WebRtcCarrier implements Carrier {
  readonly name = 'webrtc';
  readonly #options: WebRtcOptions;
  readonly #peer: string;
  #factory: PeerFactory | undefined;

  constructor(peer: string, options: WebRtcOptions) {
    this.#peer = peer;
    this.#options = options;
  }

  async connect(signal?: AbortSignal): Promise<CarrierConnection> {
    if (signal?.aborted) throw new CarrierError('aborted', 'aborted');
    this.#factory ??= await resolveFactory(this.#options.factory);
    const timeoutMs = this.#options.connectTimeoutMs ?? 15_000;
    const { signaling } = this.#options;
    try {
      await signaling.start(AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])]));
    } catch {
      throw new CarrierError(signal?.aborted ? 'aborted' : 'unreachable', 'no signaling path to the hub');
    }
    const session = `${this.#options.sessionPrefix ?? ''}${randomUUID()}`;
    const pc = this.#factory({ iceServers: this.#options.iceServers ?? [] });
    const channel = pc.createDataChannel(CHANNEL_LABEL, { ordered: true });
    const candidates = new CandidateQueue(pc);
    let peerDevice: string | undefined;
    let peerIdentity = '';
    const early: IceCandidate[] = [];
    return new Promise<CarrierConnection>((resolve, reject) => {
      let done = false;
      const finish = (error?: CarrierError): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        channel.onopen = null;
        if (error) {
          if (peerDevice) signaling.send({ kind: 'bye', to: peerDevice, session, reason: error.message });
          pc.onicecandidate = null;
          channel.onclose = null;
          pc.close();
          reject(error);
          return;
        }
        resolve(
          new RtcConnection(
            pc,
            channel,
            { signingKey: keyOf(peerDevice!), identity: peerIdentity },
            {
              signaling,
              session,
              peerDevice: peerDevice!,
              offerer: true,
              ...(this.#options.restartAfterMs ? { restartAfterMs: this.#options.restartAfterMs } : {}),
            },
          ),
        );
      };
      const onAbort = (): void => finish(new CarrierError('aborted', 'aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(
        () => finish(new CarrierError('timeout', `no direct path to ${this.#peer} in ${timeoutMs} ms`)),
        timeoutMs,
      );
      pc.onicecandidate = (ev) => {
        if (!ev.candidate) return;
        const c = candidateOf(ev.candidate);
        // Candidates go to the device that answered; before the answer, hold them.
        if (peerDevice) signaling.send({ kind: 'ice', to: peerDevice, session, candidate: c });
        else early.push(c);
      };
      const off = signaling.on((msg: SignalIn) => {
        if (done || !('session' in msg) || msg.session !== session) return;
        if (msg.kind === 'unreachable')
          return finish(new CarrierError('unreachable', `${this.#peer} is not online for a direct path`));
        if (msg.kind === 'refused')
          return finish(new CarrierError('unreachable', `the hub refused the offer: ${msg.detail}`));
        if (!('from' in msg)) return;
        if (msg.kind === 'answer' && !peerDevice) {
          peerDevice = msg.from;
          peerIdentity = msg.fromIdentity;
          for (const c of early.splice(0))
            signaling.send({ kind: 'ice', to: peerDevice, session, candidate: c });
          void pc
            .setRemoteDescription({ type: 'answer', sdp: msg.sdp })
            .then(() => candidates.flush())
            .catch((e: unknown) => finish(new CarrierError('protocol', `bad answer: ${String(e)}`)));
        } else if (msg.kind === 'ice' && (!peerDevice || msg.from === peerDevice))
          void candidates.add(msg.candidate);
        // A bye before any answer is a device of the peer declining the offer (an answerer's
        // `accept` saying no, a console that takes link items through the hub): fail at once.
        else if (msg.kind === 'bye' && (!peerDevice || msg.from === peerDevice))
          finish(new CarrierError('unreachable', `the peer refused: ${msg.reason}`));
      });
      channel.onopen = () => {
        if (peerDevice) finish();
      };
      void (async () => {
        try {
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          if (!signaling.send({ kind: 'offer', to: this.#peer, session, sdp: offer.sdp }))
            finish(new CarrierError('unreachable', 'the signaling socket closed'));
        } catch (e) {
          finish(new CarrierError('protocol', `cannot make an offer: ${String(e)}`));
        }
      })();
    });
  }
}

/** Options of {@link WebRtcAnswerer}. */
export interface AnswererOptions extends WebRtcOptions {
  /** Decides whether to answer a device (default: any device the hub routes, i.e. enrolled). */
  readonly accept?: (device: string, identity: string) => boolean;
  /** Which signaling sessions it answers (default: all; the kit's live channels use `live:…`). */
  readonly sessions?: (session: string) => boolean;
}

/**
 * The direct carrier, answering end (a console, or a simulated specialist): answers offers that
 * arrive through signaling and hands each opened channel to `onConnection`. Pending answers are
 * bounded and time out; every peer connection it made is closed on stop().
 */
export class WebRtcAnswerer {
  readonly #options: AnswererOptions;
  readonly #pending = new Map<string, { pc: PeerConnectionLike; timer: NodeJS.Timeout }>();
  readonly #live = new Set<RtcConnection>();
  readonly #listeners = new Set<(conn: CarrierConnection) => void>();
  #off: (() => void) | undefined;
  #factory: PeerFactory | undefined;

  constructor(options: AnswererOptions) {
    this.#options = options;
  }

  /** Starts answering (resolves once signaling is up). */
  async start(): Promise<void> {
    this.#factory ??= await resolveFactory(this.#options.factory);
    this.#off ??= this.#options.signaling.on((msg) => this.#onSignal(msg));
    await this.#options.signaling.start();
  }

  /** Subscribes to new connections; returns the unsubscribe function. */
  onConnection(listener: (conn: CarrierConnection) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Connections open right now, and offers being answered. */
  get counts(): { live: number; pending: number } {
    return { live: this.#live.size, pending: this.#pending.size };
  }

  /** Stops answering and closes everything it opened. */
  stop(): void {
    this.#off?.();
    this.#off = undefined;
    for (const { pc, timer } of this.#pending.values()) {
      clearTimeout(timer);
      pc.close();
    }
    this.#pending.clear();
    for (const c of [...this.#live]) c.close('stopping');
  }

  #onSignal(msg: SignalIn): void {
    if (msg.kind !== 'offer' || !('from' in msg)) return;
    if (this.#options.sessions && !this.#options.sessions(msg.session)) return;
    if ([...this.#live].some((c) => c.session === msg.session)) return; // a restart: the connection answers
    if (this.#pending.has(msg.session) || this.#pending.size >= 16) return;
    if (this.#options.accept && !this.#options.accept(msg.from, msg.fromIdentity)) {
      this.#options.signaling.send({
        kind: 'bye',
        to: msg.from,
        session: msg.session,
        reason: 'not accepted',
      });
      return;
    }
    const { from, fromIdentity, session } = msg;
    const pc = this.#factory!({ iceServers: this.#options.iceServers ?? [] });
    const candidates = new CandidateQueue(pc);
    const { signaling } = this.#options;
    const off = signaling.on((m) => {
      if (!('from' in m) || m.session !== session || m.from !== from) return;
      if (m.kind === 'ice') void candidates.add(m.candidate);
      else if (m.kind === 'bye') drop();
    });
    const drop = (): void => {
      const p = this.#pending.get(session);
      if (!p) return;
      clearTimeout(p.timer);
      this.#pending.delete(session);
      off();
      pc.onicecandidate = null;
      pc.ondatachannel = null;
      pc.close();
    };
    const timer = setTimeout(drop, this.#options.connectTimeoutMs ?? 15_000);
    this.#pending.set(session, { pc, timer });
    pc.onicecandidate = (ev) => {
      if (ev.candidate)
        signaling.send({ kind: 'ice', to: from, session, candidate: candidateOf(ev.candidate) });
    };
    pc.ondatachannel = (ev) => {
      const channel: DataChannelLike = ev.channel;
      const opened = (): void => {
        const p = this.#pending.get(session);
        if (!p) return;
        clearTimeout(p.timer);
        this.#pending.delete(session);
        off();
        const conn = new RtcConnection(
          pc,
          channel,
          { signingKey: keyOf(from), identity: fromIdentity },
          { signaling, session, peerDevice: from, offerer: false },
        );
        this.#live.add(conn);
        conn.onClose(() => this.#live.delete(conn));
        for (const l of [...this.#listeners]) l(conn);
      };
      if (channel.readyState === 'open') opened();
      else channel.onopen = opened;
    };
    void (async () => {
      try {
        await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        await candidates.flush();
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        signaling.send({ kind: 'answer', to: from, session, sdp: answer.sdp });
      } catch {
        drop();
      }
    })();
  }
}

/** A device's key from the hex the hub stamped (the schema guarantees 64 hex digits). */
function keyOf(hex: string): Uint8Array {
  const key = fromHex(hex);
  if (key?.byteLength !== 32) throw new CarrierError('protocol', 'the hub stamped a malformed device key');
  return key;
}
