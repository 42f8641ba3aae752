import { z } from 'zod';

/**
 * An audio call between a specialist's console and a paired tablet: browser to browser WebRTC,
 * signaled console ⇄ hub ⇄ kit (the hub's signaling relay, sessions named `call:…`) and
 * kit ⇄ tablet (the kit's live channel down, `POST /api/call` up). Shared by the kit, the console
 * and the tablet: every message has a size limit and a schema.
 */

/** Signaling sessions of calls start with this. */
export const CALL_SESSION_PREFIX = 'call:';
/** A call's session id. */
export const CallSession = z.string().regex(/^call:[0-9a-z-]{8,59}$/);
/** Largest SDP accepted in a call (an offer with audio, video and a data channel is a few KiB). */
export const MAX_CALL_SDP = 48 * 1024;
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

const Candidate = z.object({
  candidate: z.string().max(2048),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
});

/** What a tablet sends about a call (`POST /api/call`). */
export const CallFromTablet = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answer'), session: CallSession, sdp: z.string().min(1).max(MAX_CALL_SDP) }),
  z.object({ kind: z.literal('ice'), session: CallSession, candidate: Candidate }),
  z.object({ kind: z.literal('bye'), session: CallSession, reason: z.string().max(200) }),
]);
/** See {@link CallFromTablet}. */
export type CallFromTablet = z.infer<typeof CallFromTablet>;

/** What the kit tells the tablets about calls (live channel event `call`). */
export const WireCall = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('offer'),
    session: CallSession,
    /** The specialist's identity id and name as the kit's directory gives them. */
    fromId: z.string().max(128),
    fromName: z.string().max(200),
    sdp: z.string().min(1).max(MAX_CALL_SDP),
    video: z.boolean(),
  }),
  z.object({ kind: z.literal('ice'), session: CallSession, candidate: Candidate }),
  /** A tablet accepted: the others stop ringing. */
  z.object({ kind: z.literal('taken'), session: CallSession, tablet: z.string().max(128) }),
  z.object({ kind: z.literal('bye'), session: CallSession, reason: z.string().max(200) }),
]);
/** See {@link WireCall}. */
export type WireCall = z.infer<typeof WireCall>;
