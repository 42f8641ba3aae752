import { z } from 'zod';
import { fromHex, toHex } from '../../../../crypto/bytes.ts';
import type { Directory } from '../../../../crypto/directory.ts';
import type { EnvelopeOpener } from '../../../../crypto/envelope.ts';
import type { Signer } from '../../../../crypto/signed-item.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import { decodeWire } from '../../../../crypto/wire-cbor.ts';
import { Reassembler, fragment } from '../../../../runtime/link/carriers/webrtc/fragments.ts';
import type { LiveToKit } from '../../../../runtime/link/live/live-wire.ts';
import {
  LIVE_BEAT_MS,
  LIVE_CHANNEL,
  LIVE_QUIET_MS,
  LIVE_SESSION_PREFIX,
  LiveToConsole,
  MAX_LIVE_MESSAGE_BYTES,
  decodeLive,
  encodeLive,
  watchSigned,
} from '../../../../runtime/link/live/live-wire.ts';
import { PROBE_CHUNKS, callLinkKbps } from '../../../../runtime/link/live/call-policy.ts';
import type { ProbeResult } from '../../../../runtime/link/live/probe-meter.ts';
import { ProbeMeter } from '../../../../runtime/link/live/probe-meter.ts';
import { openReceived } from '../link/received.ts';
import type { SignalSocket } from './signal-socket.ts';

/** A reading as the live strip shows it. */
export interface LiveReading {
  readonly id: string;
  readonly code: string;
  readonly display: string;
  readonly value: number | null;
  readonly unit: string | null;
  readonly precision: number;
  /** Component values (a blood pressure's systolic and diastolic), in order. */
  readonly parts: readonly (number | null)[];
  /** When it was measured (the kit's clock, ISO). */
  readonly at: string;
}

/** What the live strip shows about the direct path. */
export type LiveStatus =
  | { readonly state: 'connecting' }
  | { readonly state: 'up' }
  | { readonly state: 'down'; readonly reason: string };

/** What a live session needs from the console. */
export interface LiveDeps {
  readonly socket: SignalSocket;
  readonly signer: Signer;
  readonly opener: EnvelopeOpener;
  readonly directory: () => Directory | undefined;
  /** This console's identity id. */
  readonly me: string;
}

const Reading = z.object({
  id: z.string().max(64),
  loinc: z.string().max(20),
  display: z.string().max(200),
  value: z.number().nullable(),
  unit: z.string().max(40).nullable(),
  precision: z.number().int().min(0).max(10),
  effectiveAt: z.string().max(40),
  visitId: z.string().max(64).nullable(),
  components: z
    .array(z.object({ value: z.number().nullable(), precision: z.number().int().min(0).max(10) }))
    .max(20)
    .default([]),
});

/** Readings kept on screen. */
const KEEP = 12;
/** Time budget for offer, answer, ICE and the channel opening. */
const CONNECT_MS = 15_000;

/**
 * The console's live session with the kit that sent a consultation, while its case is open: a
 * direct data channel (the browser's RTCPeerConnection, offered through the hub's signaling to
 * the kit, answered by the kit's wrtc), on which the console asks — signed with its device key —
 * to watch the consultation's visit. Each reading arrives as a sealed, signed `vitals` item,
 * opened and verified against the pinned directory exactly as items through the hub are; one
 * that does not verify is dropped and counted. Silence beyond {@link LIVE_QUIET_MS} means the
 * path is down; the session tries again with backoff until the case is closed.
 */
export class LiveSession {
  status: LiveStatus = { state: 'connecting' };
  readings: LiveReading[] = [];
  /** The kit's measured uplink (kbit/s) as it last said, null when unknown. */
  linkKbps: number | null = null;
  /** What this console's probe of the direct path measured, null until one completed. */
  probe: ProbeResult | null = null;
  /** Readings refused (did not verify, or not of this consultation). */
  refused = 0;
  readonly #deps: LiveDeps;
  readonly #kit: string;
  readonly #consultation: string;
  readonly #onChange: () => void;
  #stopped = false;
  #retryMs = 1000;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #end: ((reason: string) => void) | undefined;

  constructor(deps: LiveDeps, kit: string, consultation: string, onChange: () => void) {
    this.#deps = deps;
    this.#kit = kit;
    this.#consultation = consultation;
    this.#onChange = onChange;
  }

  /**
   * The link a call is decided on: the lowest of the direct path's probe and the kit's own
   * measurement (see call-policy.ts), null when neither measured anything.
   */
  get callKbps(): number | null {
    return callLinkKbps(this.probe?.kbps, this.linkKbps);
  }

  /** Starts trying (idempotent while running). */
  start(): void {
    void this.#attempt();
  }

  /** Ends the session and its peer connection. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    this.#end?.('case closed');
  }

  #set(status: LiveStatus): void {
    this.status = status;
    this.#onChange();
  }

  async #attempt(): Promise<void> {
    if (this.#stopped) return;
    this.#set({ state: 'connecting' });
    const reason = await this.#run().catch((e: unknown) => (e instanceof Error ? e.message : String(e)));
    if (this.#stopped) return;
    this.#set({ state: 'down', reason });
    const wait = this.#retryMs;
    this.#retryMs = Math.min(15_000, this.#retryMs * 2);
    this.#retry = setTimeout(() => void this.#attempt(), wait);
  }

  /** One peer connection, from offer to its end; resolves with why it ended. */
  async #run(): Promise<string> {
    const { socket } = this.#deps;
    await socket.ready();
    const session = `${LIVE_SESSION_PREFIX}${crypto.randomUUID()}`;
    const pc = new RTCPeerConnection({ iceServers: [] });
    const dc = pc.createDataChannel(LIVE_CHANNEL, { ordered: true });
    dc.binaryType = 'arraybuffer';
    const reassembler = new Reassembler(MAX_LIVE_MESSAGE_BYTES);
    let peer: string | undefined;
    let remoteSet = false;
    const outbound: RTCIceCandidateInit[] = [];
    const inbound: RTCIceCandidateInit[] = [];
    let lastHeard = Date.now();
    let beat: ReturnType<typeof setInterval> | undefined;
    let chain: Promise<void> = Promise.resolve();
    let meter: ProbeMeter | undefined;
    const send = (m: LiveToKit): void => {
      if (dc.readyState !== 'open') return;
      for (const part of fragment(encodeLive(m))) dc.send(part as Uint8Array<ArrayBuffer>);
    };
    return new Promise<string>((resolve) => {
      let over = false;
      const end = (why: string): void => {
        if (over) return;
        over = true;
        clearTimeout(connectTimer);
        clearInterval(beat);
        off();
        if (peer) socket.send({ kind: 'bye', to: peer, session, reason: why.slice(0, 200) });
        dc.onmessage = null;
        dc.onclose = null;
        pc.onicecandidate = null;
        pc.close();
        this.#end = undefined;
        resolve(why);
      };
      this.#end = end;
      const connectTimer = setTimeout(() => end('no direct path in time'), CONNECT_MS);
      const off = socket.on((msg) => {
        if (!('session' in msg) || msg.session !== session) return;
        if (msg.kind === 'unreachable') return end('the kit is not online for a direct path');
        if (msg.kind === 'refused') return end(`the hub refused: ${msg.detail}`);
        if (!('from' in msg)) return;
        if (msg.kind === 'answer' && !peer) {
          const key = fromHex(msg.from);
          const dir = this.#deps.directory();
          if (msg.fromIdentity !== this.#kit || !key || !dir?.isDeviceOf(this.#kit, key))
            return end('the answer did not come from the kit’s device');
          peer = msg.from;
          for (const c of outbound.splice(0))
            socket.send({ kind: 'ice', to: peer, session, candidate: c as never });
          void pc
            .setRemoteDescription({ type: 'answer', sdp: msg.sdp })
            .then(async () => {
              remoteSet = true;
              for (const c of inbound.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
            })
            .catch(() => end('the kit’s answer does not apply'));
        } else if (msg.kind === 'ice' && msg.from === peer) {
          if (remoteSet) void pc.addIceCandidate(msg.candidate).catch(() => undefined);
          else inbound.push(msg.candidate);
        } else if (msg.kind === 'bye' && msg.from === peer) end(`the kit closed: ${msg.reason}`);
      });
      pc.onicecandidate = (ev) => {
        if (!ev.candidate) return;
        const c = {
          candidate: ev.candidate.candidate,
          sdpMid: ev.candidate.sdpMid ?? null,
          sdpMLineIndex: ev.candidate.sdpMLineIndex ?? null,
        };
        if (peer) socket.send({ kind: 'ice', to: peer, session, candidate: c });
        else outbound.push(c);
      };
      dc.onopen = () => {
        clearTimeout(connectTimer);
        lastHeard = Date.now();
        void (async () => {
          const at = Date.now();
          const sig = await this.#deps.signer.sign(watchSigned(this.#consultation, session, at));
          send({ t: 'watch', consultation: this.#consultation, at, sig });
        })();
        beat = setInterval(() => {
          if (Date.now() - lastHeard > LIVE_QUIET_MS)
            return end(`no word from the kit for ${LIVE_QUIET_MS} ms`);
          send({ t: 'beat' });
        }, LIVE_BEAT_MS);
      };
      dc.onclose = () => end('the direct channel closed');
      dc.onmessage = (ev: MessageEvent) => {
        lastHeard = Date.now();
        if (!(ev.data instanceof ArrayBuffer)) return end('a text message on the live channel');
        const r = reassembler.push(new Uint8Array(ev.data));
        if (r.kind === 'close') return end(`the kit closed: ${r.reason}`);
        if (r.kind === 'violation') return end(`protocol: ${r.detail}`);
        if (r.kind !== 'frame') return;
        let m: LiveToConsole;
        try {
          m = decodeLive(LiveToConsole, r.frame);
        } catch (e) {
          return end(`protocol: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (m.t === 'watching') {
          this.#retryMs = 1000;
          this.linkKbps = m.linkKbps;
          this.#set({ state: 'up' });
          // Measure the direct path once per channel (the kit answers one probe per 10 s).
          meter = new ProbeMeter(PROBE_CHUNKS, performance.now());
          send({ t: 'probe', n: PROBE_CHUNKS });
        } else if (m.t === 'probe') {
          const result = meter?.chunk(m.i, r.frame.byteLength, performance.now());
          if (!result) return;
          meter = undefined;
          this.probe = result;
          // The kit rings its tablets with this figure: they can say why a call is audio only.
          send({ t: 'link', kbps: this.callKbps ?? result.kbps, rttMs: result.rttMs });
          this.#onChange();
        } else if (m.t === 'refused') end(`the kit refused: ${m.detail}`);
        else if (m.t === 'vital') chain = chain.then(() => this.#vital(m.env)).catch(() => undefined);
      };
      void (async () => {
        try {
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          if (!socket.send({ kind: 'offer', to: this.#kit, session, sdp: offer.sdp ?? '' }))
            end('the signaling socket closed');
        } catch (e) {
          end(`cannot make an offer: ${String(e)}`);
        }
      })();
    });
  }

  async #vital(env: Uint8Array): Promise<void> {
    const s = await getSodium();
    const id = toHex(s.crypto_hash_sha256(env));
    const item = await openReceived(id, env, {
      opener: this.#deps.opener,
      directory: this.#deps.directory(),
      me: this.#deps.me,
    }).catch(() => undefined);
    if (
      !item ||
      item.type !== 'item' ||
      !item.verified ||
      item.kind !== 'vitals' ||
      item.from !== this.#kit ||
      item.ref !== this.#consultation
    ) {
      this.refused++;
      return;
    }
    const decoded = decodeWire(item.body);
    const parsed = decoded.ok ? Reading.safeParse(decoded.value) : undefined;
    if (!parsed?.success) {
      this.refused++;
      return;
    }
    const o = parsed.data;
    const reading: LiveReading = {
      id: o.id,
      code: o.loinc,
      display: o.display,
      value: o.value,
      unit: o.unit,
      precision: o.precision,
      parts: o.components.map((c) => c.value),
      at: o.effectiveAt,
    };
    this.readings = [reading, ...this.readings.filter((r) => r.id !== o.id)].slice(0, KEEP);
    this.#onChange();
  }
}
