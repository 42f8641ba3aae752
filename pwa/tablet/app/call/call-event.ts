import type { WireCall } from '../../../../runtime/link/live/call-wire.ts';
import {
  CALL_SESSION_PATTERN,
  MAX_CALL_SDP,
  MAX_CANDIDATE,
  MAX_REASON,
  PROBE_MAX_KBPS,
} from '../../../../runtime/link/live/call-policy.ts';

type Json = Record<string, unknown>;

const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length <= max;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function candidateOf(
  v: unknown,
): { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } | null {
  if (!isObject(v) || !str(v.candidate, MAX_CANDIDATE)) return null;
  const mid = v.sdpMid ?? null;
  const line = v.sdpMLineIndex ?? null;
  if (mid !== null && !str(mid, 64)) return null;
  if (line !== null && !(Number.isInteger(line) && (line as number) >= 0 && (line as number) <= 64))
    return null;
  return { candidate: v.candidate, sdpMid: mid, sdpMLineIndex: line as number | null };
}

/**
 * Checks a `call` event from the kit against the limits of call-wire.ts's `WireCall` schema (the
 * same numbers, from call-policy.ts), without a schema library in the tablet's bundle: the event,
 * or null for anything else.
 */
export function parseCallEvent(raw: unknown): WireCall | null {
  if (!isObject(raw) || typeof raw.session !== 'string' || !CALL_SESSION_PATTERN.test(raw.session))
    return null;
  const session = raw.session;
  switch (raw.kind) {
    case 'offer':
      if (!str(raw.fromId, 128) || !str(raw.fromName, 200) || !str(raw.sdp, MAX_CALL_SDP) || raw.sdp === '')
        return null;
      if (typeof raw.video !== 'boolean') return null;
      {
        const kbps = raw.linkKbps ?? null;
        if (kbps !== null && !(typeof kbps === 'number' && kbps >= 0 && kbps <= PROBE_MAX_KBPS)) return null;
        return {
          kind: 'offer',
          session,
          fromId: raw.fromId,
          fromName: raw.fromName,
          sdp: raw.sdp,
          video: raw.video,
          linkKbps: kbps,
        };
      }
    case 'ice': {
      const candidate = candidateOf(raw.candidate);
      return candidate ? { kind: 'ice', session, candidate } : null;
    }
    case 'taken':
      return str(raw.tablet, 128) ? { kind: 'taken', session, tablet: raw.tablet } : null;
    case 'bye':
      return str(raw.reason, MAX_REASON) ? { kind: 'bye', session, reason: raw.reason } : null;
    default:
      return null;
  }
}
