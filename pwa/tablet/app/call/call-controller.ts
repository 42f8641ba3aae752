import type { WireCall } from '../../../../runtime/link/live/call-wire.ts';
import type { CallPeer, CallStats } from '../../../shared/call/call-peer.ts';
import { callStats, candidateJson, capAudio, openCallPeer } from '../../../shared/call/call-peer.ts';
import type { KitApi } from '../net/api.ts';
import type { CallEvent } from './call-bus.ts';
import { parseCallEvent } from './call-event.ts';

/** Where the tablet's call is. */
export type TabletCallPhase =
  | { readonly state: 'idle' }
  | {
      readonly state: 'ringing';
      readonly session: string;
      readonly fromName: string;
      readonly video: boolean;
      /** The link the console decided the call on (kbit/s), null: unmeasured. */
      readonly linkKbps: number | null;
    }
  | {
      readonly state: 'connecting' | 'connected';
      readonly session: string;
      readonly fromName: string;
      readonly video: boolean;
      readonly linkKbps: number | null;
    }
  | { readonly state: 'ended'; readonly how: TabletCallEnd; readonly reason: string };

/** How the call ended, as the panel says it. */
export type TabletCallEnd = 'local' | 'remote' | 'taken' | 'declined' | 'failed';

type Offer = Extract<WireCall, { kind: 'offer' }>;

/**
 * The tablet's side of a specialist's call: rings on the kit's `call` event (schema-checked),
 * answers on «Принять» with the microphone (the camera only when the console offered video),
 * sends its answer, candidates and hang-up to the kit (`POST /api/call`, the paired tablet's
 * token), and ends on the console's bye, the control channel closing, the connection failing,
 * another tablet taking the call, or this page closing.
 */
export class TabletCall {
  phase: TabletCallPhase = { state: 'idle' };
  stats: CallStats | null = null;
  readonly #api: KitApi;
  readonly #onChange: () => void;
  #offer: Offer | undefined;
  #candidates: RTCIceCandidateInit[] = [];
  #peer: CallPeer | undefined;
  #remoteSet = false;
  #statsTimer: ReturnType<typeof setInterval> | undefined;
  #onPageHide = (): void => this.hangUp('the tablet closed');

  constructor(api: KitApi, onChange: () => void) {
    this.#api = api;
    this.#onChange = onChange;
  }

  #set(phase: TabletCallPhase): void {
    this.phase = phase;
    this.#onChange();
  }

  get #session(): string | undefined {
    return 'session' in this.phase ? this.phase.session : undefined;
  }

  /** One event from the kit (anything outside the call schema's limits is ignored). */
  receive(raw: CallEvent): void {
    const e = parseCallEvent(raw);
    if (!e) return;
    if (e.kind === 'offer') {
      if (
        this.phase.state === 'connecting' ||
        this.phase.state === 'connected' ||
        this.phase.state === 'ringing'
      )
        return; // busy: the kit lets another tablet take it, or it rings out
      this.#offer = e;
      this.#candidates = [];
      this.#set({
        state: 'ringing',
        session: e.session,
        fromName: e.fromName,
        video: e.video,
        linkKbps: e.linkKbps ?? null,
      });
      return;
    }
    if (e.session !== this.#session) return;
    if (e.kind === 'ice') {
      if (this.#peer && this.#remoteSet)
        void this.#peer.pc.addIceCandidate(e.candidate).catch(() => undefined);
      else this.#candidates.push(e.candidate);
    } else if (e.kind === 'taken') {
      if (this.phase.state === 'ringing') this.#end('taken on another tablet', false, 'taken');
    } else if (e.kind === 'bye')
      this.#end(
        e.reason || 'hung up',
        false,
        /stopping|signaling|no answer/.test(e.reason) ? 'failed' : 'remote',
      );
  }

  /** Takes the ringing call (what comes in plays in `out.video` when it has video). */
  async accept(out: { readonly audio: HTMLAudioElement; readonly video: HTMLVideoElement }): Promise<void> {
    const offer = this.#offer;
    if (this.phase.state !== 'ringing' || !offer) return;
    const session = offer.session;
    const { fromName, video } = offer;
    const linkKbps = offer.linkKbps ?? null;
    this.#set({ state: 'connecting', session, fromName, video, linkKbps });
    try {
      const peer = await openCallPeer({ video, audioOut: video ? out.video : out.audio });
      this.#peer = peer;
      const pc = peer.pc;
      pc.ondatachannel = (ev) => {
        peer.channel = ev.channel;
        ev.channel.onclose = () => this.#end('the specialist left the call', true, 'remote');
      };
      pc.onicecandidate = (ev) => {
        if (ev.candidate) void this.#post({ kind: 'ice', session, candidate: candidateJson(ev.candidate) });
      };
      pc.onconnectionstatechange = () => {
        const s = pc.connectionState;
        if (s === 'connected' && this.phase.state === 'connecting') {
          void capAudio(pc);
          this.#set({ state: 'connected', session, fromName, video, linkKbps });
        } else if (s === 'failed' || s === 'closed') this.#end(`connection ${s}`, true, 'failed');
      };
      await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      this.#remoteSet = true;
      for (const c of this.#candidates.splice(0)) await pc.addIceCandidate(c).catch(() => undefined);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      addEventListener('pagehide', this.#onPageHide);
      this.#statsTimer = setInterval(() => {
        if (this.phase.state !== 'connected') return;
        void callStats(pc).then((s) => {
          this.stats = s;
          this.#onChange();
        });
      }, 1000);
      await this.#api.send('POST', '/api/call', { kind: 'answer', session, sdp: answer.sdp ?? '' });
    } catch (error) {
      this.#end(error instanceof Error ? error.message : String(error), true, 'failed');
    }
  }

  /** Declines the ringing call. */
  decline(): void {
    const session = this.#session;
    if (this.phase.state !== 'ringing' || !session) return;
    void this.#post({ kind: 'bye', session, reason: 'declined on the tablet' });
    this.#end('declined', false, 'declined');
  }

  /** Hangs up the running call. */
  hangUp(reason = 'the feldsher hung up'): void {
    if (this.phase.state !== 'connecting' && this.phase.state !== 'connected') return;
    this.#end(reason, true, 'local');
  }

  /** Clears an ended call's notice. */
  dismiss(): void {
    if (this.phase.state === 'ended') this.#set({ state: 'idle' });
  }

  #post(body: unknown): Promise<void> {
    return this.#api.send<void>('POST', '/api/call', body).catch(() => undefined);
  }

  #end(reason: string, tell: boolean, how: TabletCallEnd): void {
    const session = this.#session;
    if (!session) return;
    if (tell) void this.#post({ kind: 'bye', session, reason: reason.slice(0, 200) });
    clearInterval(this.#statsTimer);
    removeEventListener('pagehide', this.#onPageHide);
    this.#peer?.close();
    this.#peer = undefined;
    this.#remoteSet = false;
    this.#offer = undefined;
    this.#candidates = [];
    this.#set({ state: 'ended', how, reason });
  }
}
