import { z } from 'zod';
import { ascii, concatBytes } from '../../../crypto/bytes.ts';
import { decodeWire, encodeWire } from '../../../crypto/wire-cbor.ts';
import { PROBE_CHUNK_BYTES, PROBE_CHUNKS, PROBE_MAX_KBPS } from './call-policy.ts';

/**
 * The live session between a specialist's console and the kit, over a direct WebRTC data channel
 * signaled through the hub (sessions named `live:…`): the console asks to watch the visit of a
 * consultation it holds (a request signed with its device key), and the kit streams that visit's
 * vitals as they are stored, each one a signed item sealed to the specialist like every other
 * link item. Shared by the kit (Node) and the console (browser): CBOR messages, each with a size
 * limit and a schema; anything else is a typed {@link LiveWireError}.
 */

/** The data channel's label. */
export const LIVE_CHANNEL = 'fieldkit-live';
/** Signaling sessions of live data channels start with this. */
export const LIVE_SESSION_PREFIX = 'live:';
/** Largest live message (one sealed reading is a few hundred bytes). */
export const MAX_LIVE_MESSAGE_BYTES = 64 * 1024;
/** The kit says something at least this often, so the console can tell a dead path. */
export const LIVE_BEAT_MS = 2000;
/** Silence after which either side declares the direct path down. */
export const LIVE_QUIET_MS = 6000;
/** A watch request older or newer than this (clock skew included) is refused. */
export const WATCH_MAX_SKEW_MS = 10 * 60_000;

const Hex32 = z.string().regex(/^[0-9a-f]{32}$/);
const Bytes = (max: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength <= max, `bytes up to ${max}`);

/** What the console sends on the live channel. */
export const LiveToKit = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('watch'),
    /** The consultation's item id (hex): the kit streams the vitals of its visit. */
    consultation: Hex32,
    at: z.number().int().nonnegative(),
    /** Ed25519 signature by the console's device key over {@link watchSigned}. */
    sig: Bytes(64),
  }),
  z.object({ t: z.literal('beat') }),
  /** Asks for the direct path's probe (see call-policy.ts): `n` chunks sent back to back. */
  z.object({ t: z.literal('probe'), n: z.number().int().min(2).max(PROBE_CHUNKS) }),
  /**
   * What the console measured of the link (the lowest of its probe and the kit's own figure):
   * the kit tells its tablets with a call's offer why it is audio only.
   */
  z.object({
    t: z.literal('link'),
    kbps: z.number().nonnegative().max(PROBE_MAX_KBPS),
    rttMs: z.number().nonnegative().max(60_000).nullable(),
  }),
]);
/** See {@link LiveToKit}. */
export type LiveToKit = z.infer<typeof LiveToKit>;

/** What the kit sends on the live channel. */
export const LiveToConsole = z.discriminatedUnion('t', [
  z.object({
    t: z.literal('watching'),
    consultation: Hex32,
    /** The kit's measured uplink (kbit/s), null when nothing was measured: decides video in calls. */
    linkKbps: z.number().nonnegative().max(10_000_000).nullable(),
  }),
  /** One stored reading: a sealed envelope (signed item of kind `vitals`, ref = the consultation). */
  z.object({ t: z.literal('vital'), env: Bytes(MAX_LIVE_MESSAGE_BYTES - 64) }),
  z.object({ t: z.literal('refused'), detail: z.string().max(200) }),
  z.object({ t: z.literal('beat') }),
  /** Chunk `i` of `n` of a probe the console asked for (its bytes carry nothing). */
  z.object({
    t: z.literal('probe'),
    i: z.number().int().nonnegative().max(PROBE_CHUNKS),
    n: z.number().int().min(2).max(PROBE_CHUNKS),
    pad: Bytes(PROBE_CHUNK_BYTES),
  }),
]);
/** See {@link LiveToConsole}. */
export type LiveToConsole = z.infer<typeof LiveToConsole>;

/** Why a live message was refused. */
export class LiveWireError extends Error {
  override readonly name = 'LiveWireError';
  constructor(
    readonly code: 'too_large' | 'not_cbor' | 'schema',
    detail: string,
  ) {
    super(detail);
  }
}

/** Encodes a live message (CBOR). */
export function encodeLive(message: LiveToKit | LiveToConsole): Uint8Array {
  const bytes = encodeWire(message);
  if (bytes.byteLength > MAX_LIVE_MESSAGE_BYTES)
    throw new LiveWireError('too_large', `live message of ${bytes.byteLength} bytes`);
  return bytes;
}

/** Decodes an untrusted live message against its schema (throws {@link LiveWireError}). */
export function decodeLive<T>(schema: z.ZodType<T>, bytes: Uint8Array): T {
  if (bytes.byteLength > MAX_LIVE_MESSAGE_BYTES)
    throw new LiveWireError('too_large', `live message of ${bytes.byteLength} bytes`);
  const decoded = decodeWire(bytes);
  if (!decoded.ok) throw new LiveWireError('not_cbor', decoded.why);
  const parsed = schema.safeParse(decoded.value);
  if (!parsed.success) throw new LiveWireError('schema', parsed.error.issues[0]?.message ?? 'schema');
  return parsed.data;
}

const WATCH_DOMAIN = ascii('fieldkit/live-watch/v1\u0000');

/**
 * The bytes a watch request's signature covers: the consultation, the signaling session (so a
 * request cannot be replayed on another channel) and the time.
 */
export function watchSigned(consultation: string, session: string, at: number): Uint8Array {
  return concatBytes(WATCH_DOMAIN, encodeWire({ consultation, session, at }));
}
