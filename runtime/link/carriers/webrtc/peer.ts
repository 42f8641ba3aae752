/**
 * The small slice of the WebRTC API the direct carrier uses, so that `@roamhq/wrtc` (Node), the
 * browser's own RTCPeerConnection (consoles) or another library can be swapped in: anything
 * structurally like this works. Nothing here is trusted for liveness or pacing (see carrier.ts).
 */

/** An SDP offer or answer. */
export interface SessionDescription {
  readonly type: 'offer' | 'answer';
  readonly sdp: string;
}

/** One ICE candidate as signaled. */
export interface IceCandidate {
  readonly candidate: string;
  readonly sdpMid?: string | null;
  readonly sdpMLineIndex?: number | null;
}

/** A data channel (binary messages, ordered, reliable). */
export interface DataChannelLike {
  binaryType: string;
  readonly readyState: string;
  send(data: Uint8Array): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** A peer connection. */
export interface PeerConnectionLike {
  createDataChannel(label: string, init: { ordered: boolean }): DataChannelLike;
  createOffer(options?: { iceRestart?: boolean }): Promise<SessionDescription>;
  createAnswer(): Promise<SessionDescription>;
  setLocalDescription(description: SessionDescription): Promise<void>;
  setRemoteDescription(description: SessionDescription): Promise<void>;
  addIceCandidate(candidate: IceCandidate): Promise<void>;
  close(): void;
  readonly iceConnectionState: string;
  onicecandidate: ((ev: { candidate: IceCandidate | null }) => void) | null;
  ondatachannel: ((ev: { channel: DataChannelLike }) => void) | null;
  oniceconnectionstatechange: ((ev: unknown) => void) | null;
}

/** Makes peer connections (ICE servers are empty on a LAN or loopback; STUN/TURN in the field). */
export type PeerFactory = (config: { iceServers: { urls: string | string[] }[] }) => PeerConnectionLike;

/** Peer connections open right now through factories made here (teardown tests count them). */
export const openPeers = { count: 0 };

/**
 * The Node implementation: `@roamhq/wrtc`, loaded lazily (a native module) and wrapped so that
 * every connection made and closed is counted.
 */
export async function wrtcPeerFactory(): Promise<PeerFactory> {
  const mod = (await import('@roamhq/wrtc')) as unknown as {
    default?: { RTCPeerConnection: new (config: unknown) => PeerConnectionLike };
    RTCPeerConnection?: new (config: unknown) => PeerConnectionLike;
  };
  const Ctor = mod.default?.RTCPeerConnection ?? mod.RTCPeerConnection;
  if (!Ctor) throw new Error('@roamhq/wrtc has no RTCPeerConnection');
  return (config) => countClose(new Ctor(config));
}

/** Wraps close() so that {@link openPeers} goes down exactly once per connection. */
export function countClose(pc: PeerConnectionLike): PeerConnectionLike {
  openPeers.count++;
  let closed = false;
  const close = pc.close.bind(pc);
  pc.close = () => {
    if (!closed) {
      closed = true;
      openPeers.count--;
    }
    close();
  };
  return pc;
}
