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
/** Measured link below which a call is audio only (the line: 256 kbit/s). */
export const AUDIO_ONLY_BELOW_KBPS = 256;
/**
 * Measured link from which video is offered too: the 256 kbit/s with 50 % headroom, so a
 * small video (about 260 kbit/s at this line) and the Opus audio fit with room for the live
 * vitals and the link's own items.
 */
export const VIDEO_FROM_KBPS = 384;
/** Highest video bitrate a call asks for, however wide the link (a 320x240 picture needs no more). */
export const VIDEO_MAX_BITRATE = 600_000;

/**
 * The direct path's probe: on the live channel, the console asks the kit for
 * {@link PROBE_CHUNKS} chunks of {@link PROBE_CHUNK_BYTES} sent back to back, and measures how
 * fast they arrive (kit to console: the kit's uplink, the direction that carries the tablet's
 * picture and voice to the specialist). 48 KiB: 1.5 s at 256 kbit/s, a few ms on a LAN.
 */
export const PROBE_CHUNK_BYTES = 4096;
/** See {@link PROBE_CHUNK_BYTES}. */
export const PROBE_CHUNKS = 12;
/** A kit answers at most one probe per live channel in this long (a probe costs link time). */
export const PROBE_MIN_INTERVAL_MS = 10_000;
/** Highest rate a probe reports (on loopback the chunks arrive in one burst: "very fast"). */
export const PROBE_MAX_KBPS = 1_000_000;

/** Why a call is what it is: the link measured wide, narrow, or not measured at all. */
export type CallLinkWhy = 'wide' | 'narrow' | 'unmeasured';

/**
 * The link a call is decided on: the lowest of the measurements there are (the direct path's
 * probe, the kit's hub session as its pacer measured it), or null when there is none.
 */
export function callLinkKbps(...measured: readonly (number | null | undefined)[]): number | null {
  const known = measured.filter((m): m is number => typeof m === 'number' && Number.isFinite(m));
  return known.length === 0 ? null : Math.min(...known);
}

/**
 * What a call may carry on a link measured at `linkKbps`: audio only (Opus) when nothing was
 * measured or below {@link VIDEO_FROM_KBPS}; video offered only from it, capped so audio keeps
 * its share (three quarters of what is left after the audio, at most {@link VIDEO_MAX_BITRATE}).
 */
export function callMedia(linkKbps: number | null): {
  readonly video: boolean;
  readonly why: CallLinkWhy;
  readonly audioBitrate: number;
  readonly videoBitrate: number;
} {
  const video = linkKbps !== null && linkKbps >= VIDEO_FROM_KBPS;
  return {
    video,
    why: linkKbps === null ? 'unmeasured' : video ? 'wide' : 'narrow',
    audioBitrate: AUDIO_MAX_BITRATE,
    videoBitrate: video
      ? Math.min(VIDEO_MAX_BITRATE, Math.round((linkKbps - AUDIO_MAX_BITRATE / 1000) * 1000 * 0.75))
      : 0,
  };
}
