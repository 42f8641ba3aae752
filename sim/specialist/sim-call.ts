import { randomUUID } from 'node:crypto';
import { fromHex } from '../../crypto/bytes.ts';
import type { Directory } from '../../crypto/directory.ts';
import type { SignalingClient } from '../../runtime/link/carriers/webrtc/signaling-client.ts';
import { CALL_SESSION_PREFIX } from '../../runtime/link/live/call-policy.ts';

/** What one simulated call did. */
export interface SimCallResult {
  /** How it ended: the time ran out, the tablet hung up or declined, or it never connected. */
  readonly how: 'held' | 'remote' | 'declined' | 'unanswered' | 'failed';
  readonly reason: string;
  /** Audio samples the tablet's microphone sent us (RTCAudioSink), and how many were not silence. */
  readonly samplesReceived: number;
  readonly loudSamples: number;
  /** Inbound audio bytes and the codec, from getStats. */
  readonly inboundBytes: number;
  readonly codec: string | null;
}

/** What {@link SimCaller} needs from the simulated specialist. */
export interface SimCallOptions {
  readonly signaling: SignalingClient;
  readonly directory: () => Directory | undefined;
  readonly log: (message: string, detail?: Record<string, unknown>) => void;
  /** How long a connected call is held before the specialist hangs up (default 20 s). */
  readonly holdMs?: number;
  /** How long the tablets ring before the specialist gives up (default 60 s). */
  readonly ringMs?: number;
  /** The tone the simulated specialist "says", Hz (default 440). */
  readonly toneHz?: number;
  /**
   * The link measured for calls (the live session's probe), named in the offer as the console
   * does; the simulated specialist offers audio only whatever it is (no camera here).
   */
  readonly linkKbps?: () => number | null;
}

// The slice of @roamhq/wrtc used here: the standard peer connection plus its nonstandard audio
// source (PCM in) and sink (PCM out), so a call runs with no browser and no sound card.
interface Pc {
  addTrack(track: unknown): unknown;
  createDataChannel(
    label: string,
    init: { ordered: boolean },
  ): { onclose: (() => void) | null; close(): void };
  createOffer(): Promise<{ sdp: string; type: 'offer' }>;
  setLocalDescription(d: { sdp: string; type: 'offer' }): Promise<void>;
  setRemoteDescription(d: { sdp: string; type: 'answer' }): Promise<void>;
  addIceCandidate(c: unknown): Promise<void>;
  getStats(): Promise<Map<string, Record<string, unknown>>>;
  close(): void;
  iceConnectionState: string;
  onicecandidate:
    | ((ev: {
        candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } | null;
      }) => void)
    | null;
  oniceconnectionstatechange: (() => void) | null;
  ontrack: ((ev: { track: unknown }) => void) | null;
}
interface Wrtc {
  RTCPeerConnection: new (config: { iceServers: [] }) => Pc;
  nonstandard: {
    RTCAudioSource: new () => { createTrack(): { stop(): void }; onData(d: Record<string, unknown>): void };
    RTCAudioSink: new (track: unknown) => {
      ondata: ((d: { samples: Int16Array }) => void) | null;
      stop(): void;
    };
  };
}

async function loadWrtc(): Promise<Wrtc> {
  const mod = (await import('@roamhq/wrtc')) as unknown as { default?: Wrtc } & Partial<Wrtc>;
  const w = mod.default ?? (mod as Wrtc);
  if (!w.RTCPeerConnection || !w.nonstandard?.RTCAudioSource)
    throw new Error('@roamhq/wrtc has no audio source');
  return w;
}

const RATE = 48_000;
/** 10 ms of mono PCM per frame, as RTCAudioSource takes it. */
const FRAME = RATE / 100;

/**
 * The simulated specialist's call to a kit's tablets, as the console places it
 * (pwa/console/app/call): an audio-only offer (a synthetic tone from wrtc's RTCAudioSource, Opus
 * negotiated by the binding) with a `call` control channel, sent through the hub's signaling to
 * the kit identity, which rings its tablets and relays the answer of the one that takes it (the
 * answer is taken only from a device the pinned directory lists for that kit). What the tablet's
 * microphone sends is read with RTCAudioSink. The call ends when `holdMs` has passed, the tablet
 * hangs up or declines, or it is not answered in `ringMs`.
 */
export class SimCaller {
  readonly #o: SimCallOptions;
  #wrtc: Wrtc | undefined;
  #active = new Set<() => void>();

  constructor(options: SimCallOptions) {
    this.#o = options;
  }

  /** Calls running now. */
  get active(): number {
    return this.#active.size;
  }

  /** Rings `kit`'s tablets; resolves when the call is over. */
  async call(kit: string): Promise<SimCallResult> {
    this.#wrtc ??= await loadWrtc();
    const w = this.#wrtc;
    const { signaling, log } = this.#o;
    await signaling.start();
    const session = `${CALL_SESSION_PREFIX}${randomUUID()}`;
    const pc = new w.RTCPeerConnection({ iceServers: [] });
    const source = new w.nonstandard.RTCAudioSource();
    const track = source.createTrack();
    pc.addTrack(track);
    const channel = pc.createDataChannel('call', { ordered: true });
    let phase = 0;
    const step = (2 * Math.PI * (this.#o.toneHz ?? 440)) / RATE;
    const tone = setInterval(() => {
      const samples = new Int16Array(FRAME);
      for (let i = 0; i < FRAME; i++) samples[i] = Math.round(8000 * Math.sin((phase += step)));
      source.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
    }, 10);
    let samplesReceived = 0;
    let loudSamples = 0;
    let sink: InstanceType<Wrtc['nonstandard']['RTCAudioSink']> | undefined;
    pc.ontrack = (ev) => {
      sink = new w.nonstandard.RTCAudioSink(ev.track);
      sink.ondata = (d) => {
        samplesReceived += d.samples.length;
        for (const s of d.samples) if (Math.abs(s) > 64) loudSamples++;
      };
    };
    let tablet: string | undefined;
    let remoteSet = false;
    const held: unknown[] = [];
    const early: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null }[] = [];
    return new Promise<SimCallResult>((resolve) => {
      let over = false;
      const end = (how: SimCallResult['how'], reason: string, tell: boolean): void => {
        if (over) return;
        over = true;
        this.#active.delete(stop);
        clearInterval(tone);
        clearTimeout(ringTimer);
        clearTimeout(holdTimer);
        off();
        if (tell) signaling.send({ kind: 'bye', to: tablet ?? kit, session, reason });
        void (async () => {
          let inboundBytes = 0;
          let codec: string | null = null;
          try {
            const stats = await pc.getStats();
            for (const s of stats.values())
              if (s.type === 'inbound-rtp' && s.kind === 'audio') {
                inboundBytes += Number(s.bytesReceived ?? 0);
                const c = typeof s.codecId === 'string' ? stats.get(s.codecId) : undefined;
                codec = typeof c?.mimeType === 'string' ? c.mimeType : codec;
              }
          } catch {
            // the connection never came up
          }
          sink?.stop();
          track.stop();
          channel.onclose = null;
          pc.close();
          log('simulated specialist: call ended', { kit, how, reason, samplesReceived, inboundBytes });
          resolve({ how, reason, samplesReceived, loudSamples, inboundBytes, codec });
        })();
      };
      const stop = (): void => end('held', 'the specialist left', true);
      this.#active.add(stop);
      const ringTimer = setTimeout(() => end('unanswered', 'no answer', true), this.#o.ringMs ?? 60_000);
      let holdTimer: NodeJS.Timeout | undefined;
      channel.onclose = () => {
        if (remoteSet) end('remote', 'the tablet left the call', true);
      };
      pc.oniceconnectionstatechange = () => {
        const s = pc.iceConnectionState;
        if ((s === 'connected' || s === 'completed') && !holdTimer) {
          clearTimeout(ringTimer);
          log('simulated specialist: call connected', { kit });
          holdTimer = setTimeout(() => end('held', 'the specialist hung up', true), this.#o.holdMs ?? 20_000);
        } else if (s === 'failed') end('failed', `ice ${s}`, true);
      };
      pc.onicecandidate = (ev) => {
        if (!ev.candidate) return;
        const c = {
          candidate: ev.candidate.candidate,
          sdpMid: ev.candidate.sdpMid ?? null,
          sdpMLineIndex: ev.candidate.sdpMLineIndex ?? null,
        };
        if (tablet) signaling.send({ kind: 'ice', to: tablet, session, candidate: c });
        else early.push(c);
      };
      const off = signaling.on((msg) => {
        if (!('session' in msg) || msg.session !== session) return;
        if (msg.kind === 'unreachable') return end('failed', 'the kit is not online', false);
        if (msg.kind === 'refused') return end('failed', `the hub refused: ${msg.detail}`, false);
        if (!('from' in msg) || msg.fromIdentity !== kit) return;
        if (msg.kind === 'answer' && !tablet) {
          const key = fromHex(msg.from);
          if (!key || !this.#o.directory()?.isDeviceOf(kit, key)) return;
          tablet = msg.from;
          for (const c of early.splice(0))
            signaling.send({ kind: 'ice', to: msg.from, session, candidate: c });
          void pc
            .setRemoteDescription({ type: 'answer', sdp: msg.sdp })
            .then(async () => {
              remoteSet = true;
              for (const c of held.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
            })
            .catch(() => end('failed', 'the answer does not apply', true));
        } else if (msg.kind === 'ice' && (!tablet || msg.from === tablet)) {
          if (remoteSet) void pc.addIceCandidate(msg.candidate).catch(() => undefined);
          else held.push(msg.candidate);
        } else if (msg.kind === 'bye')
          end(
            /declined/.test(msg.reason) ? 'declined' : remoteSet ? 'remote' : 'unanswered',
            msg.reason,
            false,
          );
      });
      void (async () => {
        try {
          const offer = await pc.createOffer();
          await pc.setLocalDescription(offer);
          const linkKbps = this.#o.linkKbps?.() ?? null;
          if (!signaling.send({ kind: 'offer', to: kit, session, sdp: offer.sdp, linkKbps }))
            end('failed', 'no signaling to the hub', false);
          else log('simulated specialist: calling the kit’s tablets', { kit, session });
        } catch (e) {
          end('failed', `cannot make an offer: ${String(e)}`, false);
        }
      })();
    });
  }

  /** Hangs up every running call. */
  stop(): void {
    for (const stop of [...this.#active]) stop();
  }
}
