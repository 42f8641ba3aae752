import { z } from 'zod';
import { PROBE_MAX_KBPS } from '../../live/call-policy.ts';

/**
 * The signaling the hub relays between enrolled devices so that two of them can open a direct
 * WebRTC path: offers, answers and ICE candidates (JSON over the hub's signaling WebSocket).
 * Shared by the hub and its clients; every message has a size limit and a schema.
 */

/** The signaling WebSocket's path. */
export const SIGNAL_PATH = '/api/signal';
/** Its subprotocol. */
export const SIGNAL_PROTOCOL = 'fieldkit.signal.v1';
/** Largest signaling message (an SDP with many candidates is a few KiB). */
export const MAX_SIGNAL_BYTES = 64 * 1024;

const Candidate = z.object({
  candidate: z.string().max(2048),
  sdpMid: z.string().max(64).nullable().optional(),
  sdpMLineIndex: z.number().int().min(0).max(64).nullable().optional(),
});

/** What a device sends: `to` is an identity (all its connected devices) or a device's hex key. */
export const SignalOut = z.discriminatedUnion('kind', [
  z.object({
    kind: z.enum(['offer', 'answer']),
    to: z.string().min(1).max(128),
    session: z.string().min(8).max(64),
    sdp: z
      .string()
      .min(1)
      .max(48 * 1024),
    /**
     * A call offer's measured link (kbit/s) that the caller decided audio or video on, null when
     * it measured nothing: the kit decides the tablet's side of the call from this same figure.
     */
    linkKbps: z.number().nonnegative().max(PROBE_MAX_KBPS).nullable().optional(),
  }),
  z.object({
    kind: z.literal('ice'),
    to: z.string().min(1).max(128),
    session: z.string().min(8).max(64),
    candidate: Candidate,
  }),
  z.object({
    kind: z.literal('bye'),
    to: z.string().min(1).max(128),
    session: z.string().min(8).max(64),
    reason: z.string().max(200),
  }),
]);
export type SignalOut = z.infer<typeof SignalOut>;

/** What the hub delivers: the sender's message stamped with its authenticated device and identity. */
export const SignalIn = z.union([
  z.intersection(
    SignalOut,
    z.object({ from: z.string().regex(/^[0-9a-f]{64}$/), fromIdentity: z.string().min(1).max(128) }),
  ),
  z.object({ kind: z.literal('unreachable'), to: z.string().max(128), session: z.string().max(64) }),
  /** The hub refused a message: malformed, or beyond the sender's rate (then with its session). */
  z.object({
    kind: z.literal('refused'),
    detail: z.string().max(200),
    session: z.string().max(64).optional(),
  }),
]);
export type SignalIn = z.infer<typeof SignalIn>;

/** Parses untrusted signaling text: the message, or why it was refused. */
export function parseSignal<T>(
  schema: z.ZodType<T>,
  text: string,
): { ok: true; value: T } | { ok: false; detail: string } {
  if (text.length > MAX_SIGNAL_BYTES) return { ok: false, detail: `signal of ${text.length} bytes` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, detail: 'not JSON' };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, detail: 'schema' };
}
