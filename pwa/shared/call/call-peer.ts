import { AUDIO_MAX_BITRATE } from '../../../runtime/link/live/call-policy.ts';

/** A browser-to-browser call's media, as both the console and the tablet run it. */
export interface CallPeer {
  readonly pc: RTCPeerConnection;
  readonly local: MediaStream;
  /** The control channel: its closing means the other side left (page closed, hung up). */
  channel: RTCDataChannel | undefined;
  /** Stops the tracks and closes the connection (idempotent). */
  close(): void;
}

/** What one side measures of the call (read from getStats, shown in the call panel). */
export interface CallStats {
  /** Audio bytes received so far (inbound-rtp). */
  readonly inboundAudioBytes: number;
  /** The audio codec in use, e.g. audio/opus. */
  readonly codec: string | null;
  readonly video: boolean;
}

/**
 * Opens the microphone (and the camera when `video`), makes the peer connection with the tracks
 * added, Opus preferred and capped at {@link AUDIO_MAX_BITRATE}, and plays the remote audio into
 * `audioOut`. No ICE servers: on a LAN, through the kit's network; STUN/TURN in the field.
 */
export async function openCallPeer(options: {
  video: boolean;
  audioOut: HTMLAudioElement;
  iceServers?: RTCIceServer[];
}): Promise<CallPeer> {
  const local = await navigator.mediaDevices.getUserMedia({ audio: true, video: options.video });
  const pc = new RTCPeerConnection({ iceServers: options.iceServers ?? [] });
  for (const track of local.getTracks()) pc.addTrack(track, local);
  preferOpus(pc);
  const remote = new MediaStream();
  pc.ontrack = (ev) => {
    remote.addTrack(ev.track);
    options.audioOut.srcObject = remote;
    void options.audioOut.play().catch(() => undefined);
  };
  let closed = false;
  const peer: CallPeer = {
    pc,
    local,
    channel: undefined,
    close() {
      if (closed) return;
      closed = true;
      for (const t of local.getTracks()) t.stop();
      try {
        peer.channel?.close();
      } catch {
        // already closed
      }
      pc.close();
      options.audioOut.srcObject = null;
    },
  };
  return peer;
}

/** Puts Opus first on every audio transceiver (where the browser lets us choose). */
function preferOpus(pc: RTCPeerConnection): void {
  const caps =
    typeof RTCRtpSender.getCapabilities === 'function' ? RTCRtpSender.getCapabilities('audio') : null;
  if (!caps) return;
  const opus = caps.codecs.filter((c) => c.mimeType.toLowerCase() === 'audio/opus');
  if (opus.length === 0) return;
  for (const t of pc.getTransceivers())
    if (t.sender.track?.kind === 'audio' && typeof t.setCodecPreferences === 'function')
      t.setCodecPreferences(opus);
}

/** Caps the audio sender's bitrate (after negotiation, when parameters can be set). */
export async function capAudio(pc: RTCPeerConnection): Promise<void> {
  for (const s of pc.getSenders()) {
    if (s.track?.kind !== 'audio') continue;
    const params = s.getParameters();
    if (!params.encodings || params.encodings.length === 0) continue;
    for (const e of params.encodings) e.maxBitrate = AUDIO_MAX_BITRATE;
    await s.setParameters(params).catch(() => undefined);
  }
}

/** Reads the call's inbound audio bytes and codec. */
export async function callStats(pc: RTCPeerConnection): Promise<CallStats> {
  const report = await pc.getStats();
  let bytes = 0;
  let codecId: string | undefined;
  let video = false;
  report.forEach((s: { type: string; kind?: string; bytesReceived?: number; codecId?: string }) => {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') {
      bytes += s.bytesReceived ?? 0;
      codecId = s.codecId;
    }
    if (s.type === 'inbound-rtp' && s.kind === 'video') video = true;
  });
  const codec = codecId
    ? ((report.get(codecId) as { mimeType?: string } | undefined)?.mimeType ?? null)
    : null;
  return { inboundAudioBytes: bytes, codec, video };
}

/** A candidate as plain JSON for signaling. */
export function candidateJson(c: RTCIceCandidate): {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
} {
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
