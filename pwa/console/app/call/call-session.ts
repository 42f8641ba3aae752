import { fromHex } from '../../../../crypto/bytes.ts';
import type { Directory } from '../../../../crypto/directory.ts';
import type { CallLinkWhy } from '../../../../runtime/link/live/call-wire.ts';
import { CALL_SESSION_PREFIX, PROBE_MAX_KBPS, callMedia } from '../../../../runtime/link/live/call-wire.ts';
import type { CallPeer, CallStats } from '../../../shared/call/call-peer.ts';
import { callStats, candidateJson, capAudio, openCallPeer } from '../../../shared/call/call-peer.ts';
import type { SignalSocket } from '../live/signal-socket.ts';

/** Where the console's call is. */
export type CallPhase =
  | { readonly state: 'idle' }
  | { readonly state: 'calling' }
  | { readonly state: 'connected' }
  | { readonly state: 'ended'; readonly how: CallEnd; readonly reason: string };

/** How a call ended, as the screen says it (the reason's text is kept for the tooltip). */
export type CallEnd = 'local' | 'remote' | 'declined' | 'unanswered' | 'failed';

/** Ringing budget on the console's side (the kit ends an unanswered call a little earlier). */
const RING_MS = 70_000;

/**
 * The specialist's call to the kit's tablets: the browser's microphone (and camera only when the
 * kit's measured link allows video, see call-wire.ts) on an RTCPeerConnection whose offer goes
 * through the hub's signaling to the kit identity, which rings its paired tablets and relays the
 * answer of the one that takes it. The call ends on hang-up here, a `bye` from the kit, the
 * control channel closing or the connection failing; closing the page ends it too.
 */
export class CallSession {
  phase: CallPhase = { state: 'idle' };
  stats: CallStats | null = null;
  /** Whether this call offered video. */
  video = false;
  /** The link this call was decided on (kbit/s, null: unmeasured) and what that meant. */
  linkKbps: number | null = null;
  why: CallLinkWhy = 'unmeasured';
  readonly #socket: SignalSocket;
  readonly #kit: string;
  readonly #directory: () => Directory | undefined;
  readonly #onChange: () => void;
  #peer: CallPeer | undefined;
  #session = '';
  #kitDevice: string | undefined;
  #off: (() => void) | undefined;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #onPageHide = (): void => this.hangUp('the specialist closed the console');

  constructor(
    socket: SignalSocket,
    kit: string,
    directory: () => Directory | undefined,
    onChange: () => void,
  ) {
    this.#socket = socket;
    this.#kit = kit;
    this.#directory = directory;
    this.#onChange = onChange;
  }

  #set(phase: CallPhase): void {
    this.phase = phase;
    this.#onChange();
  }

  /**
   * Calls the kit; `linkKbps` is the measured link (the live session's probe and the kit's own
   * figure, the lowest; null: unknown, audio only). What comes in plays in `out.video` when the
   * call has video, else in `out.audio`.
   */
  async start(
    out: { readonly audio: HTMLAudioElement; readonly video: HTMLVideoElement },
    linkKbps: number | null,
  ): Promise<void> {
    if (this.phase.state === 'calling' || this.phase.state === 'connected') return;
    // Named in the offer, where the hub's schema bounds it.
    linkKbps =
      linkKbps === null || !Number.isFinite(linkKbps)
        ? null
        : Math.min(Math.max(0, linkKbps), PROBE_MAX_KBPS);
    const media = callMedia(linkKbps);
    this.video = media.video;
    this.why = media.why;
    this.linkKbps = linkKbps;
    this.stats = null;
    this.#set({ state: 'calling' });
    try {
      await this.#socket.ready();
      const peer = await openCallPeer({ video: this.video, audioOut: this.video ? out.video : out.audio });
      this.#peer = peer;
      const session = `${CALL_SESSION_PREFIX}${crypto.randomUUID()}`;
      this.#session = session;
      const pc = peer.pc;
      const channel = pc.createDataChannel('call', { ordered: true });
      peer.channel = channel;
      channel.onclose = () => this.#finish('the tablet left the call', true, 'remote');
      const held: RTCIceCandidateInit[] = [];
      let remoteSet = false;
      pc.onicecandidate = (ev) => {
        if (!ev.candidate) return;
        if (this.#kitDevice)
          this.#socket.send({
            kind: 'ice',
            to: this.#kitDevice,
            session,
            candidate: candidateJson(ev.candidate),
          });
        else held.push(candidateJson(ev.candidate));
      };
      pc.onconnectionstatechange = () => {
        const s = pc.connectionState;
        if (s === 'connected') {
          void capAudio(pc, media.videoBitrate);
          this.#set({ state: 'connected' });
        } else if (s === 'failed' || s === 'closed') this.#finish(`connection ${s}`, true, 'failed');
      };
      const early: RTCIceCandidateInit[] = [];
      this.#off = this.#socket.on((msg) => {
        if (!('session' in msg) || msg.session !== session) return;
        if (msg.kind === 'unreachable') return this.#finish('the kit is not online', false, 'failed');
        if (msg.kind === 'refused') return this.#finish(`the hub refused: ${msg.detail}`, false, 'failed');
        if (!('from' in msg)) return;
        if (msg.kind === 'answer' && !this.#kitDevice) {
          const key = fromHex(msg.from);
          if (msg.fromIdentity !== this.#kit || !key || !this.#directory()?.isDeviceOf(this.#kit, key))
            return;
          this.#kitDevice = msg.from;
          for (const c of held.splice(0))
            this.#socket.send({ kind: 'ice', to: msg.from, session, candidate: c as never });
          void pc
            .setRemoteDescription({ type: 'answer', sdp: msg.sdp })
            .then(async () => {
              remoteSet = true;
              for (const c of early.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
            })
            .catch(() => this.#finish('the answer does not apply', true, 'failed'));
        } else if (msg.kind === 'ice' && (!this.#kitDevice || msg.from === this.#kitDevice)) {
          if (remoteSet) void pc.addIceCandidate(msg.candidate).catch(() => undefined);
          else early.push(msg.candidate);
        } else if (msg.kind === 'bye' && msg.fromIdentity === this.#kit)
          this.#finish(msg.reason || 'hung up', false, endOf(msg.reason));
      });
      addEventListener('pagehide', this.#onPageHide);
      this.#timers.push(
        setTimeout(() => {
          if (this.phase.state === 'calling') this.hangUp('no answer');
        }, RING_MS),
        setInterval(() => {
          if (this.phase.state !== 'connected') return;
          void callStats(pc).then((s) => {
            this.stats = s;
            this.#onChange();
          });
        }, 1000),
      );
      const offer = await pc.createOffer();
      await pc.setLocalDescription(offer);
      // The figure this call was decided on goes with the offer: the kit decides the tablet's
      // side (its camera) from the same number, and the tablet says why a call is audio only.
      const sent = this.#socket.send({
        kind: 'offer',
        to: this.#kit,
        session,
        sdp: offer.sdp ?? '',
        linkKbps,
      });
      if (!sent) this.#finish('no signaling to the hub', true, 'failed');
    } catch (error) {
      this.#finish(error instanceof Error ? error.message : String(error), true, 'failed');
    }
  }

  /** Hangs up: tells the other side (through the hub and the kit) and ends here. */
  hangUp(reason = 'the specialist hung up'): void {
    if (this.phase.state !== 'calling' && this.phase.state !== 'connected') return;
    this.#finish(reason, true, reason === 'no answer' ? 'unanswered' : 'local');
  }

  /** Ends here; `tell`: say bye to the kit too (it forgets the call and tells the tablet). */
  #finish(reason: string, tell: boolean, how: CallEnd): void {
    if (this.phase.state === 'ended' || this.phase.state === 'idle') return;
    if (tell && this.#session)
      this.#socket.send({ kind: 'bye', to: this.#kitDevice ?? this.#kit, session: this.#session, reason });
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    removeEventListener('pagehide', this.#onPageHide);
    this.#off?.();
    this.#off = undefined;
    this.#peer?.close();
    this.#peer = undefined;
    this.#kitDevice = undefined;
    this.#set({ state: 'ended', how, reason });
  }
}

/** How a call ended, from the other side's bye (the kit says 'no answer' when nobody took it). */
function endOf(reason: string): CallEnd {
  if (/declined/.test(reason)) return 'declined';
  if (reason === 'no answer') return 'unanswered';
  if (/stopping|signaling|refused/.test(reason)) return 'failed';
  return 'remote';
}
