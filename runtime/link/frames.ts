import { decodeWire, encodeWire } from '../../crypto/wire-cbor.ts';
import type { RejectCode } from './reject.ts';
import { REJECT_CODES } from './reject.ts';

/**
 * The link protocol's frames, the same over every carrier (hub WebSocket, WebRTC data channel).
 * Each frame is one CBOR array whose first element is its type:
 *
 *     HELLO  [0, version, maxFrameBytes]           first frame each way; the largest ITEM or
 *                                                  CHUNK this end wants (an OFFER is one frame)
 *     PING   [1, seq, sentAtMs]   PONG [2, seq, sentAtMs]   our own heartbeats
 *     ITEM   [3, id, bytes]                        a whole small object (envelope or receipt)
 *     OFFER  [4, id, size, blockSize, hashes]      manifest of a large object: SHA-256 per block
 *     HAVE   [5, id, complete, [[first, count]...]] what the receiver already holds (resume)
 *     CHUNK  [6, id, firstBlock, data]            consecutive whole blocks (the last may be short)
 *     ACK    [7, id, firstBlock, count]           blocks committed to disk by the receiver
 *     STORED [8, id, outcome]                     the whole object committed ('stored' | 'duplicate')
 *     NACK   [9, id | null, code, detail]         a typed refusal
 *
 * ids are the SHA-256 of the object's bytes (32 bytes). Every frame has a size limit and a schema;
 * {@link decodeFrame} answers a typed refusal for anything else and never throws.
 */
export const PROTOCOL_VERSION = 1;
/** Largest frame any carrier must carry: a 256 KiB chunk or a 16 MiB object's manifest, plus framing. */
export const MAX_FRAME_BYTES = 320 * 1024;
/** Largest chunk payload. */
export const MAX_CHUNK_BYTES = 256 * 1024;
/** The manifest's block size: small enough that one block crosses 64 kbit/s in half a second. */
export const BLOCK_BYTES = 4096;
/** Largest object (envelope) that crosses the link. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024 + 64 * 1024;
/** SHA-256 length. */
export const HASH_BYTES = 32;
const MAX_RANGES = 4096;

/** Frame type codes. */
export const F = {
  hello: 0,
  ping: 1,
  pong: 2,
  item: 3,
  offer: 4,
  have: 5,
  chunk: 6,
  ack: 7,
  stored: 8,
  nack: 9,
} as const;

/** A decoded frame. */
export type Frame =
  | { readonly t: 'hello'; readonly version: number; readonly maxFrameBytes: number }
  | { readonly t: 'ping' | 'pong'; readonly seq: number; readonly sentAt: number }
  | { readonly t: 'item'; readonly id: Uint8Array; readonly bytes: Uint8Array }
  | {
      readonly t: 'offer';
      readonly id: Uint8Array;
      readonly size: number;
      readonly blockSize: number;
      readonly hashes: Uint8Array;
    }
  | {
      readonly t: 'have';
      readonly id: Uint8Array;
      readonly complete: boolean;
      readonly ranges: readonly (readonly [number, number])[];
    }
  | { readonly t: 'chunk'; readonly id: Uint8Array; readonly first: number; readonly data: Uint8Array }
  | { readonly t: 'ack'; readonly id: Uint8Array; readonly first: number; readonly count: number }
  | { readonly t: 'stored'; readonly id: Uint8Array; readonly outcome: 'stored' | 'duplicate' }
  | {
      readonly t: 'nack';
      readonly id: Uint8Array | null;
      readonly code: RejectCode;
      readonly detail: string;
    };

/** The result of decoding untrusted frame bytes. */
export type DecodedFrame = { ok: true; frame: Frame } | { ok: false; code: RejectCode; detail: string };

/** Number of blocks of an object of `size` bytes. */
export function blockCount(size: number, blockSize = BLOCK_BYTES): number {
  return Math.ceil(size / blockSize);
}

/** Encodes a frame (the sender's own frames are trusted; sizes are still checked by the carrier). */
export function encodeFrame(frame: Frame): Uint8Array {
  switch (frame.t) {
    case 'hello':
      return encodeWire([F.hello, frame.version, frame.maxFrameBytes]);
    case 'ping':
    case 'pong':
      return encodeWire([F[frame.t], frame.seq, frame.sentAt]);
    case 'item':
      return encodeWire([F.item, frame.id, frame.bytes]);
    case 'offer':
      return encodeWire([F.offer, frame.id, frame.size, frame.blockSize, frame.hashes]);
    case 'have':
      return encodeWire([F.have, frame.id, frame.complete, frame.ranges]);
    case 'chunk':
      return encodeWire([F.chunk, frame.id, frame.first, frame.data]);
    case 'ack':
      return encodeWire([F.ack, frame.id, frame.first, frame.count]);
    case 'stored':
      return encodeWire([F.stored, frame.id, frame.outcome]);
    case 'nack':
      return encodeWire([F.nack, frame.id, frame.code, frame.detail.slice(0, 200)]);
  }
}

const isId = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.byteLength === HASH_BYTES;
const isUint = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

function bad(detail: string): DecodedFrame {
  return { ok: false, code: 'bad_frame', detail };
}

/** Decodes one frame from untrusted bytes: a typed refusal for anything malformed. */
export function decodeFrame(bytes: Uint8Array, maxFrameBytes = MAX_FRAME_BYTES): DecodedFrame {
  if (bytes.byteLength > maxFrameBytes)
    return { ok: false, code: 'frame_too_large', detail: `${bytes.byteLength} > ${maxFrameBytes}` };
  const decoded = decodeWire(bytes);
  if (!decoded.ok) return { ok: false, code: 'malformed_cbor', detail: decoded.why };
  const a = decoded.value;
  if (!Array.isArray(a) || a.length < 1 || a.length > 5) return bad('not a frame array');
  const [type, x, y, z, w] = a as unknown[];
  switch (type) {
    case F.hello:
      if (a.length === 3 && isUint(x, 1000) && isUint(y, 1 << 30))
        return { ok: true, frame: { t: 'hello', version: x, maxFrameBytes: y } };
      return bad('hello');
    case F.ping:
    case F.pong:
      if (a.length === 3 && isUint(x, 0xffffffff) && isUint(y))
        return { ok: true, frame: { t: type === F.ping ? 'ping' : 'pong', seq: x, sentAt: y } };
      return bad('ping/pong');
    case F.item:
      if (a.length !== 3 || !isId(x) || !isBytes(y)) return bad('item');
      if (y.byteLength === 0) return bad('empty item');
      if (y.byteLength > MAX_CHUNK_BYTES)
        return { ok: false, code: 'oversized_chunk', detail: `inline item of ${y.byteLength} bytes` };
      return { ok: true, frame: { t: 'item', id: x, bytes: y } };
    case F.offer:
      return decodeOffer(a.length, x, y, z, w);
    case F.have:
      return decodeHave(a.length, x, y, z);
    case F.chunk:
      if (a.length !== 4 || !isId(x) || !isUint(y, 1 << 24) || !isBytes(z)) return bad('chunk');
      if (z.byteLength === 0) return bad('empty chunk');
      if (z.byteLength > MAX_CHUNK_BYTES)
        return { ok: false, code: 'oversized_chunk', detail: `chunk of ${z.byteLength} bytes` };
      return { ok: true, frame: { t: 'chunk', id: x, first: y, data: z } };
    case F.ack:
      if (a.length === 4 && isId(x) && isUint(y, 1 << 24) && isUint(z, 1 << 24) && z > 0)
        return { ok: true, frame: { t: 'ack', id: x, first: y, count: z } };
      return bad('ack');
    case F.stored:
      if (a.length === 3 && isId(x) && (y === 'stored' || y === 'duplicate'))
        return { ok: true, frame: { t: 'stored', id: x, outcome: y } };
      return bad('stored');
    case F.nack:
      if (
        a.length === 4 &&
        (x === null || isId(x)) &&
        typeof y === 'string' &&
        (REJECT_CODES as readonly string[]).includes(y) &&
        typeof z === 'string' &&
        z.length <= 200
      )
        return { ok: true, frame: { t: 'nack', id: x, code: y as RejectCode, detail: z } };
      return bad('nack');
    default:
      return bad(`unknown frame type ${typeof type === 'number' ? type : typeof type}`);
  }
}

function decodeOffer(
  n: number,
  id: unknown,
  size: unknown,
  blockSize: unknown,
  hashes: unknown,
): DecodedFrame {
  if (n !== 5 || !isId(id) || !isUint(size) || !isUint(blockSize) || !isBytes(hashes)) return bad('offer');
  if (size === 0) return bad('empty offer');
  if (size > MAX_OBJECT_BYTES) return { ok: false, code: 'too_large', detail: `object of ${size} bytes` };
  if (blockSize !== BLOCK_BYTES) return bad(`block size ${blockSize}`);
  if (hashes.byteLength !== blockCount(size) * HASH_BYTES) return bad('manifest length does not match size');
  return { ok: true, frame: { t: 'offer', id, size, blockSize, hashes } };
}

function decodeHave(n: number, id: unknown, complete: unknown, ranges: unknown): DecodedFrame {
  if (n !== 4 || !isId(id) || typeof complete !== 'boolean' || !Array.isArray(ranges)) return bad('have');
  if (ranges.length > MAX_RANGES) return bad('too many ranges');
  const out: (readonly [number, number])[] = [];
  for (const r of ranges as unknown[]) {
    if (!Array.isArray(r) || r.length !== 2 || !isUint(r[0], 1 << 24) || !isUint(r[1], 1 << 24) || r[1] === 0)
      return bad('have range');
    out.push([r[0], r[1]]);
  }
  return { ok: true, frame: { t: 'have', id, complete, ranges: out } };
}
