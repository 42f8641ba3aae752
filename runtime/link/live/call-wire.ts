import { z } from 'zod';
import {
  CALL_SESSION_PATTERN,
  MAX_CALL_SDP,
  MAX_CANDIDATE,
  MAX_REASON,
  PROBE_MAX_KBPS,
} from './call-policy.ts';

/**
 * An audio call between a specialist's console and a paired tablet: browser to browser WebRTC,
 * signaled console ⇄ hub ⇄ kit (the hub's signaling relay, sessions named `call:…`) and
 * kit ⇄ tablet (the kit's live channel down, `POST /api/call` up). Shared by the kit, the console
 * and the tablet: every message has a size limit and a schema.
 */

export * from './call-policy.ts';

/** A call's session id. */
export const CallSession = z.string().regex(CALL_SESSION_PATTERN);

const Candidate = z.object({
  candidate: z.string().max(MAX_CANDIDATE),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
});

/** What a tablet sends about a call (`POST /api/call`). */
export const CallFromTablet = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('answer'), session: CallSession, sdp: z.string().min(1).max(MAX_CALL_SDP) }),
  z.object({ kind: z.literal('ice'), session: CallSession, candidate: Candidate }),
  z.object({ kind: z.literal('bye'), session: CallSession, reason: z.string().max(MAX_REASON) }),
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
    /** The link the call was decided on (kbit/s), null when unmeasured: why it is audio only. */
    linkKbps: z.number().nonnegative().max(PROBE_MAX_KBPS).nullable().optional(),
  }),
  z.object({ kind: z.literal('ice'), session: CallSession, candidate: Candidate }),
  /** A tablet accepted: the others stop ringing. */
  z.object({ kind: z.literal('taken'), session: CallSession, tablet: z.string().max(128) }),
  z.object({ kind: z.literal('bye'), session: CallSession, reason: z.string().max(MAX_REASON) }),
]);
/** See {@link WireCall}. */
export type WireCall = z.infer<typeof WireCall>;
