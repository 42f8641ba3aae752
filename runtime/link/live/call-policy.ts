/**
 * A call's limits and media policy, with no dependency at all: the tablet's bundle takes these
 * (and no schema library); call-wire.ts builds the schemas the kit checks every message with from
 * the same numbers.
 */

/** Signaling sessions of calls start with this. */
export const CALL_SESSION_PREFIX = 'call:';
/** A call's session id. */
export const CALL_SESSION_PATTERN = /^call:[0-9a-z-]{8,59}$/;
/** Largest SDP accepted in a call (an offer with audio, video and a data channel is a few KiB). */
export const MAX_CALL_SDP = 48 * 1024;
/** Largest ICE candidate line. */
export const MAX_CANDIDATE = 2048;
/** Largest hang-up reason. */
export const MAX_REASON = 200;
/** Largest body of `POST /api/call`. */
export const MAX_CALL_BODY_BYTES = 56 * 1024;
/** How long an offer waits for a tablet to accept before the kit ends it. */
export const CALL_RING_MS = 60_000;

/** Opus bitrate of the call's audio (narrow links: a few of these fit in 256 kbit/s). */
export const AUDIO_MAX_BITRATE = 32_000;
/** Measured uplink below which a call is audio only (the line: 256 kbit/s). */
export const AUDIO_ONLY_BELOW_KBPS = 256;
/** Measured uplink at which video is offered too (audio plus a small video comfortably fit). */
export const VIDEO_FROM_KBPS = 384;

/**
 * What a call may carry on a link measured at `linkKbps`: audio only (Opus) when nothing was
 * measured or below {@link VIDEO_FROM_KBPS}; video offered only above it, capped so audio keeps
 * its share.
 */
export function callMedia(linkKbps: number | null): {
  readonly video: boolean;
  readonly audioBitrate: number;
  readonly videoBitrate: number;
} {
  const video = linkKbps !== null && linkKbps >= VIDEO_FROM_KBPS;
  return {
    video,
    audioBitrate: AUDIO_MAX_BITRATE,
    videoBitrate: video ? Math.round((linkKbps - AUDIO_MAX_BITRATE / 1000) * 1000 * 0.75) : 0,
  };
}
