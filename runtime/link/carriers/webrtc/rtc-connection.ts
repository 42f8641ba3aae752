import type { CarrierConnection, CloseInfo, RemotePeer } from '../../carrier.ts';
import { ConnectionEvents } from '../../carrier.ts';
import { MAX_FRAME_BYTES } from '../../frames.ts';
import { Reassembler, closeFragment, fragment } from './fragments.ts';
import type { DataChannelLike, IceCandidate, PeerConnectionLike } from './peer.ts';
import type { SignalIn } from './signal-protocol.ts';
import type { SignalingClient } from './signaling-client.ts';

/** How one end of a direct connection reaches its peer through the hub. */
export interface RtcPath {
  readonly signaling: SignalingClient;
  readonly session: string;
  /** The peer device's hex key (answers and restarts go to exactly that device). */
  readonly peerDevice: string;
  /** True on the end that made the offer (it drives the ICE restart). */
  readonly offerer: boolean;
  /** Silence (no fragment received) after which the offerer tries its one ICE restart (default 1500 ms). */
  readonly restartAfterMs?: number;
}

/**
 * One direct WebRTC path as a carrier connection: one ordered, reliable data channel carrying
 * link frames as fragments. The channel's readyState and bufferedAmount are never trusted (the
 * binding keeps saying 'open' after an outage): loss is our heartbeats' call above, and the
 * session's acknowledgement window paces sending. When the path goes quiet or ICE reports
 * trouble, the offerer tries one ICE restart through signaling; if that does not bring frames
 * back, the heartbeats close the connection and the link opens a new RTCPeerConnection.
 */
export class RtcConnection implements CarrierConnection {
  readonly carrier = 'webrtc';
  readonly maxFrameBytes = MAX_FRAME_BYTES;
  readonly #pc: PeerConnectionLike;
  readonly #channel: DataChannelLike;
  readonly #path: RtcPath;
  readonly #events = new ConnectionEvents();
  readonly #reassembler = new Reassembler(MAX_FRAME_BYTES);
  readonly #offSignal: () => void;
  readonly #watch: NodeJS.Timeout;
  #lastHeard = Date.now();
  /** ICE restarts tried on this connection (at most one). */
  restarts = 0;

  constructor(
    pc: PeerConnectionLike,
    channel: DataChannelLike,
    readonly remote: RemotePeer,
    path: RtcPath,
  ) {
    this.#pc = pc;
    this.#channel = channel;
    this.#path = path;
    channel.binaryType = 'arraybuffer';
    channel.onmessage = (ev) => this.#onMessage(ev.data);
    channel.onclose = () => this.#finish({ by: 'remote', reason: 'data channel closed' });
    channel.onerror = () => this.#finish({ by: 'lost', reason: 'data channel error' });
    pc.oniceconnectionstatechange = () => {
      const state = pc.iceConnectionState;
      if (state === 'disconnected' || state === 'failed') this.#maybeRestart(`ice ${state}`);
    };
    pc.onicecandidate = (ev) => {
      if (ev.candidate) this.#signal({ kind: 'ice', candidate: candidateOf(ev.candidate) });
    };
    this.#offSignal = path.signaling.on((msg) => void this.#onSignal(msg));
    const quiet = path.restartAfterMs ?? 1500;
    this.#watch = setInterval(
      () => {
        if (Date.now() - this.#lastHeard > quiet) this.#maybeRestart('quiet path');
      },
      Math.max(100, quiet / 3),
    );
    this.#watch.unref();
  }

  /** The signaling session this path belongs to. */
  get session(): string {
    return this.#path.session;
  }

  get closed(): boolean {
    return this.#events.closeInfo !== undefined;
  }

  send(frame: Uint8Array): boolean {
    if (this.closed || frame.byteLength > this.maxFrameBytes || frame.byteLength === 0) return false;
    try {
      for (const part of fragment(frame)) this.#channel.send(part);
    } catch (error) {
      this.#finish({ by: 'lost', reason: `data channel send failed: ${String(error)}` });
      return false;
    }
    return true;
  }

  /** Not known: the binding's bufferedAmount does not reflect the network (0, advisory). */
  bufferedBytes(): number {
    return 0;
  }

  /** Any fragment counts: a large frame crosses as many data channel messages. */
  lastProgressAt(): number {
    return this.#lastHeard;
  }

  onFrame(listener: (frame: Uint8Array) => void): () => void {
    return this.#events.onFrame(listener);
  }

  onClose(listener: (info: CloseInfo) => void): () => void {
    return this.#events.onClose(listener);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    try {
      this.#channel.send(closeFragment(reason));
    } catch {
      // the channel is already gone; signaling tells the peer
    }
    this.#signal({ kind: 'bye', reason: reason.slice(0, 200) });
    this.#finish({ by: 'local', reason });
  }

  /** Closes the peer connection abruptly, telling nobody (tests: a dead path). */
  kill(): void {
    this.#finish({ by: 'lost', reason: 'killed' });
  }

  #onMessage(data: unknown): void {
    if (this.closed) return;
    this.#lastHeard = Date.now();
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : undefined;
    if (!bytes) return this.#finish({ by: 'lost', reason: 'text message on a binary link' });
    const r = this.#reassembler.push(bytes);
    if (r.kind === 'frame') this.#events.frame(r.frame);
    else if (r.kind === 'close') this.#finish({ by: 'remote', reason: r.reason || 'closed' });
    else if (r.kind === 'violation') {
      this.#channel.send(closeFragment(`protocol: ${r.detail}`));
      this.#finish({ by: 'lost', reason: `protocol violation: ${r.detail}` });
    }
  }

  async #onSignal(msg: SignalIn): Promise<void> {
    if (this.closed || !('from' in msg) || msg.session !== this.#path.session) return;
    if (msg.from !== this.#path.peerDevice) return;
    try {
      if (msg.kind === 'bye') this.#finish({ by: 'remote', reason: msg.reason || 'closed' });
      else if (msg.kind === 'ice') await this.#pc.addIceCandidate(msg.candidate);
      else if (msg.kind === 'offer' && !this.#path.offerer) {
        // The offerer's ICE restart: answer on the same connection.
        await this.#pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        const answer = await this.#pc.createAnswer();
        await this.#pc.setLocalDescription(answer);
        this.#signal({ kind: 'answer', sdp: answer.sdp });
      } else if (msg.kind === 'answer' && this.#path.offerer)
        await this.#pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
    } catch {
      // a stale or malformed description: the heartbeats decide what happens to the path
    }
  }

  #maybeRestart(why: string): void {
    if (this.closed || !this.#path.offerer || this.restarts > 0) return;
    this.restarts++;
    void (async () => {
      try {
        const offer = await this.#pc.createOffer({ iceRestart: true });
        await this.#pc.setLocalDescription(offer);
        this.#signal({ kind: 'offer', sdp: offer.sdp });
      } catch {
        // restart impossible (closed meanwhile): heartbeats close the connection
      }
    })();
    void why;
  }

  #signal(
    msg:
      | { kind: 'ice'; candidate: IceCandidate }
      | { kind: 'bye'; reason: string }
      | { kind: 'offer' | 'answer'; sdp: string },
  ): void {
    this.#path.signaling.send({
      ...msg,
      to: this.#path.peerDevice,
      session: this.#path.session,
    });
  }

  #finish(info: CloseInfo): void {
    if (!this.#events.close(info)) return;
    clearInterval(this.#watch);
    this.#offSignal();
    this.#channel.onmessage = null;
    this.#channel.onclose = null;
    this.#channel.onerror = null;
    this.#pc.onicecandidate = null;
    this.#pc.oniceconnectionstatechange = null;
    try {
      this.#channel.close();
    } catch {
      // already closed
    }
    this.#pc.close();
  }
}

/** A candidate as plain JSON (libraries hand out class instances). */
export function candidateOf(c: IceCandidate): IceCandidate {
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
