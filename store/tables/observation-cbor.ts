import type { z } from 'zod';
import type { ObservationCode, ObservationValue } from '../schema/observation.ts';
import type { ObservationBody } from '../schema/stored-observation.ts';

/** The validated stored body {@link encodeObservationBody} takes (what `packObservation` packs). */
export type ObservationBodyOut = z.output<typeof ObservationBody>;

// Node's own UTF-8 writer: what cbor-x calls for strings of 64+ UTF-16 units (not in @types/node).
type Scratch = Buffer & { utf8Write(text: string, offset: number, length: number): number };

// Headroom kept past every checked write, so the few constant bytes (array headers, null,
// undefined) written between two checks never need a check of their own.
const SLACK = 64;

// The scratch buffer every call writes into, from offset 0; grown by doubling, never shrunk.
// allocUnsafeSlow: its own ArrayBuffer, not a slice of Node's shared pool, so the views handed
// out never alias other Buffers' memory.
let scratch = Buffer.allocUnsafeSlow(8192) as Scratch;
let view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);

/** Makes room for `need` more bytes (plus SLACK) after the `used` bytes already written. */
function reserve(used: number, need: number): void {
  if (used + need + SLACK <= scratch.length) return;
  let size = scratch.length * 2;
  while (size < used + need + SLACK) size *= 2;
  const next = Buffer.allocUnsafeSlow(size) as Scratch;
  scratch.copy(next, 0, 0, used);
  scratch = next;
  view = new DataView(next.buffer, next.byteOffset, size);
}

/** A CBOR head (major type already shifted into `major`) with the shortest argument encoding. */
function head(p: number, major: number, n: number): number {
  const b = scratch;
  if (n < 0x18) {
    b[p] = major | n;
    return p + 1;
  }
  if (n < 0x100) {
    b[p] = major | 0x18;
    b[p + 1] = n;
    return p + 2;
  }
  if (n < 0x10000) {
    b[p] = major | 0x19;
    b[p + 1] = n >>> 8;
    b[p + 2] = n & 0xff;
    return p + 3;
  }
  b[p] = major | 0x1a;
  view.setUint32(p + 1, n);
  return p + 5;
}

/**
 * A number exactly as cbor-x writes it (encode.js, `type === 'number'`, no useFloat32): integers
 * in [-2^32, 2^32) as CBOR ints, everything else (fractions, larger integers even when safe,
 * NaN/Infinity) as float64. -0 passes cbor-x's `value >>> 0 === value` test, so it is written as
 * the integer 0 and decodes as +0: kept, for identical bytes.
 */
function number(p: number, v: number): number {
  reserve(p, 9);
  const b = scratch;
  if (v >>> 0 === v) return head(p, 0x00, v >>> 0);
  if (v >> 0 === v) return head(p, 0x20, ~v);
  if (v < 0 && v >= -0x100000000 && Math.floor(v) === v) {
    b[p] = 0x3a;
    view.setUint32(p + 1, -1 - v);
    return p + 5;
  }
  b[p] = 0xfb;
  view.setFloat64(p + 1, v);
  return p + 9;
}

/**
 * A text string with cbor-x's exact bytes. Under 64 UTF-16 units cbor-x uses its own UTF-8 loop,
 * copied here: a lone surrogate becomes its 3-byte (ill-formed, CESU-style) sequence. From 64
 * units on it calls Buffer's utf8Write, which writes U+FFFD (EF BF BD) for a lone surrogate.
 * Either way the header is the shortest one for the byte length. (Neither form gives the lone
 * surrogate back on decode; matching cbor-x keeps the stored bytes the same as before.)
 */
function text(p: number, s: string): number {
  const n = s.length;
  reserve(p, n * 3 + 5);
  const b = scratch;
  if (n < 0x40) {
    // At most 189 bytes: a 1-byte header if under 24 bytes, else 2. Guess from the unit count
    // (bytes >= units, so a 2-byte guess is never too long) and shift the bytes if it was short.
    const h = n < 0x18 ? 1 : 2;
    let q = p + h;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) {
        b[q++] = c;
      } else if (c < 0x800) {
        b[q++] = (c >> 6) | 0xc0;
        b[q++] = (c & 0x3f) | 0x80;
      } else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c & 0x3ff) << 10) + (s.charCodeAt(++i) & 0x3ff);
        b[q++] = (c >> 18) | 0xf0;
        b[q++] = ((c >> 12) & 0x3f) | 0x80;
        b[q++] = ((c >> 6) & 0x3f) | 0x80;
        b[q++] = (c & 0x3f) | 0x80;
      } else {
        b[q++] = (c >> 12) | 0xe0;
        b[q++] = ((c >> 6) & 0x3f) | 0x80;
        b[q++] = (c & 0x3f) | 0x80;
      }
    }
    const len = q - p - h;
    if (len < 0x18) {
      b[p] = 0x60 | len;
      return q;
    }
    if (h === 1) {
      b.copyWithin(p + 2, p + 1, q);
      q++;
    }
    b[p] = 0x78;
    b[p + 1] = len;
    return q;
  }
  // 64+ units: at least 64 bytes, so a 2-byte header at least. Guess it from the unit count
  // (right for ASCII) and move the bytes right if the UTF-8 came out longer.
  const h = n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
  const len = b.utf8Write(s, p + h, n * 3);
  const need = len < 0x100 ? 2 : len < 0x10000 ? 3 : 5;
  if (need !== h) b.copyWithin(p + need, p + h, p + h + len);
  return head(p, 0x60, len) + len;
}

// A byte string (major type 2), untagged as cbor-x writes it with tagUint8Array: false.
function bytes(p: number, raw: Uint8Array): number {
  const n = raw.byteLength;
  reserve(p, n + 5);
  p = head(p, 0x40, n);
  scratch.set(raw, p);
  return p + n;
}

// packCode: [loinc, display, mdc]
function code(p: number, c: ObservationCode): number {
  scratch[p] = 0x83;
  p = text(p + 1, c.loinc);
  p = text(p, c.display);
  if (c.mdc === undefined) {
    scratch[p] = 0xf7;
    return p + 1;
  }
  return number(p, c.mdc);
}

// packValue: [0, value, precision, unit] or [1, reason]
function value(p: number, v: ObservationValue): number {
  if (v.kind === 'quantity') {
    scratch[p] = 0x84;
    scratch[p + 1] = 0x00;
    p = number(p + 2, v.value);
    p = number(p, v.precision);
    return text(p, v.unit);
  }
  scratch[p] = 0x82;
  scratch[p + 1] = 0x01;
  return text(p + 2, v.reason);
}

/**
 * Encodes a validated observation body as the CBOR of `packObservation(body)` (the positional
 * array of schema version 2), byte for byte what `encodeCbor(packObservation(body))` writes, but
 * walking the body directly into one reused buffer. It exists for the write path: cbor-x's
 * generic encode (plus packObservation's arrays) is mostly per-call and per-value overhead;
 * on the bench record this takes about a third of the time (0.65 vs 1.9 µs measured), most of
 * what is left being the per-character UTF-8 loop. observation-cbor.test.ts holds it to
 * cbor-x's bytes with fast-check.
 *
 * **The returned bytes are a view into a module-level scratch buffer, valid only until the next
 * call**, which overwrites them (or moves to a bigger buffer). Seal, copy or hash them at once;
 * never keep, queue or hand out the view itself, and never use its whole `.buffer` (which also
 * holds earlier records' bytes).
 */
export function encodeObservationBody(body: ObservationBodyOut): Uint8Array {
  reserve(0, 0);
  let p = 0;
  scratch[p++] = 0x8a;
  if (body.visitId === null) scratch[p++] = 0xf6;
  else p = text(p, body.visitId);
  if (body.patientId === null) scratch[p++] = 0xf6;
  else p = text(p, body.patientId);
  p = code(p, body.code);
  if (body.value === null) scratch[p++] = 0xf6;
  else p = value(p, body.value);
  const components = body.components;
  p = head(p, 0x80, components.length);
  for (const c of components) {
    scratch[p] = 0x82;
    p = code(p + 1, c.code);
    p = value(p, c.value);
  }
  p = text(p, body.status);
  p = text(p, body.category);
  p = text(p, body.effectiveAt);
  // packProvenance: [deviceId, deviceName, characteristic, codec, codecVersion, raw, clockOffsetMs]
  // plus [deviceTime, serial, sequenceNumber] when any of those three is present.
  const prov = body.provenance;
  const long =
    prov.deviceTime !== undefined || prov.serial !== undefined || prov.sequenceNumber !== undefined;
  scratch[p] = long ? 0x8a : 0x87;
  p = text(p + 1, prov.deviceId);
  if (prov.deviceName === undefined) scratch[p++] = 0xf7;
  else p = text(p, prov.deviceName);
  p = text(p, prov.characteristic);
  p = text(p, prov.codec);
  p = text(p, prov.codecVersion);
  p = bytes(p, prov.raw);
  if (prov.clockOffsetMs === undefined) scratch[p++] = 0xf7;
  else p = number(p, prov.clockOffsetMs);
  if (long) {
    if (prov.deviceTime === undefined) scratch[p++] = 0xf7;
    else p = text(p, prov.deviceTime);
    if (prov.serial === undefined) scratch[p++] = 0xf7;
    else p = text(p, prov.serial);
    if (prov.sequenceNumber === undefined) scratch[p++] = 0xf7;
    else p = number(p, prov.sequenceNumber);
  }
  p = text(p, body.recordedAt);
  return viewOf(p);
}

// The view handed out last: a stream of readings of one kind encodes to one length, so the view
// of the previous call is reused instead of a new one per reading. It is the caller's only
// until the next call, as the bytes are.
let lastView = new Uint8Array(scratch.buffer, scratch.byteOffset, 0);

/** The first `length` bytes of the scratch buffer (the view of the previous call if it fits). */
function viewOf(length: number): Uint8Array {
  if (lastView.byteLength !== length || lastView.buffer !== scratch.buffer)
    lastView = new Uint8Array(scratch.buffer, scratch.byteOffset, length);
  return lastView;
}
