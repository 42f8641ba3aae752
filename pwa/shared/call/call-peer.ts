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
  /** Whether a video stream comes in. */
  readonly video: boolean;
  /** Video frames decoded so far (inbound-rtp), 0 without video. */
  readonly framesDecoded: number;
  /** The incoming picture's size, or null. */
  readonly frameWidth: number | null;
  readonly frameHeight: number | null;
}

/** The camera a video call asks for: a small picture is what a narrow link carries. */
const VIDEO_CONSTRAINTS: MediaTrackConstraints = {
  width: { ideal: 320 },
  height: { ideal: 240 },
  frameRate: { ideal: 15, max: 15 },
};

/**
 * Opens the microphone (and the camera when `video`), makes the peer connection with the tracks
 * added, Opus preferred and capped at {@link AUDIO_MAX_BITRATE}, and plays what comes in (voice,
 * and the picture when the out element is a <video>) in `audioOut`. No ICE servers: on a LAN,
 * through the kit's network; STUN/TURN in the field.
 */
export async function openCallPeer(options: {
  video: boolean;
  audioOut: HTMLMediaElement;
  iceServers?: RTCIceServer[];
}): Promise<CallPeer> {
  const local = await navigator.mediaDevices.getUserMedia({
    audio: true,
    video: options.video ? VIDEO_CONSTRAINTS : false,
  });
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

/**
 * Caps the senders' bitrates (after negotiation, when parameters can be set): audio at
 * {@link AUDIO_MAX_BITRATE}, video at `videoBitrate` (from callMedia, what the link allows).
 */
export async function capAudio(pc: RTCPeerConnection, videoBitrate = 0): Promise<void> {
  for (const s of pc.getSenders()) {
    const kind = s.track?.kind;
    if (kind !== 'audio' && !(kind === 'video' && videoBitrate > 0)) continue;
    const params = s.getParameters();
    if (!params.encodings || params.encodings.length === 0) continue;
    for (const e of params.encodings) e.maxBitrate = kind === 'audio' ? AUDIO_MAX_BITRATE : videoBitrate;
    await s.setParameters(params).catch(() => undefined);
  }
}

/** Reads the call's inbound audio bytes and codec. */
export async function callStats(pc: RTCPeerConnection): Promise<CallStats> {
  const report = await pc.getStats();
  let bytes = 0;
  let codecId: string | undefined;
  let video = false;
  let framesDecoded = 0;
  let frameWidth: number | null = null;
  let frameHeight: number | null = null;
  report.forEach(
    (s: {
      type: string;
      kind?: string;
      bytesReceived?: number;
      codecId?: string;
      framesDecoded?: number;
      frameWidth?: number;
      frameHeight?: number;
    }) => {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        bytes += s.bytesReceived ?? 0;
        codecId = s.codecId;
      }
      if (s.type === 'inbound-rtp' && s.kind === 'video') {
        video = true;
        framesDecoded += s.framesDecoded ?? 0;
        frameWidth = s.frameWidth ?? frameWidth;
        frameHeight = s.frameHeight ?? frameHeight;
      }
    },
  );
  const codec = codecId
    ? ((report.get(codecId) as { mimeType?: string } | undefined)?.mimeType ?? null)
    : null;
  return { inboundAudioBytes: bytes, codec, video, framesDecoded, frameWidth, frameHeight };
}

/** A candidate as plain JSON for signaling. */
export function candidateJson(c: RTCIceCandidate): {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
} {
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
