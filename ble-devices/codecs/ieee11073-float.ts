import type { ByteReader, ByteWriter } from './cursor.ts';
import { CodecError } from './errors.ts';

/**
 * IEEE 11073-20601 SFLOAT (16-bit) and FLOAT (32-bit), the number formats of every SIG health
 * profile. Mantissa and exponent are kept, not just the double: 2.0 and 2.00 carry different
 * device precision, and FHIR export must preserve it (DEVICES.md 0.2, 0.3).
 */

/** The reserved bit patterns; they are never numbers. */
export type MderSpecial = 'NaN' | 'NRes' | '+INF' | '-INF' | 'RESERVED';

/** A decoded IEEE-11073 number or special value. */
export type MderFloat =
  | { readonly kind: 'number'; readonly mantissa: number; readonly exponent: number }
  | { readonly kind: 'special'; readonly special: MderSpecial };

const SFLOAT_SPECIALS: ReadonlyMap<number, MderSpecial> = new Map([
  [0x07ff, 'NaN'],
  [0x0800, 'NRes'],
  [0x07fe, '+INF'],
  [0x0802, '-INF'],
  [0x0801, 'RESERVED'],
]);
const FLOAT_SPECIALS: ReadonlyMap<number, MderSpecial> = new Map([
  [0x007fffff, 'NaN'],
  [0x00800000, 'NRes'],
  [0x007ffffe, '+INF'],
  [0x00800002, '-INF'],
  [0x00800001, 'RESERVED'],
]);

function invert<K, V>(map: ReadonlyMap<K, V>): ReadonlyMap<V, K> {
  return new Map([...map].map(([k, v]) => [v, k]));
}
const SFLOAT_RAW = invert(SFLOAT_SPECIALS);
const FLOAT_RAW = invert(FLOAT_SPECIALS);

/** The numeric value, exact for the decimal exponents devices use; null for special values. */
export function mderValue(f: MderFloat): number | null {
  if (f.kind === 'special') return null;
  return f.exponent >= 0 ? f.mantissa * 10 ** f.exponent : f.mantissa / 10 ** -f.exponent;
}

/** Decimal places the device reported (exponent -2 -> 2). */
export function mderPrecision(f: MderFloat): number {
  return f.kind === 'number' && f.exponent < 0 ? -f.exponent : 0;
}

/** Builds a number with a chosen number of decimals (simulators and tests). */
export function mderFromNumber(value: number, decimals: number): MderFloat {
  return { kind: 'number', mantissa: Math.round(value * 10 ** decimals), exponent: -decimals };
}

/** Decodes a raw 16-bit SFLOAT word. */
export function sfloatFromRaw(raw: number): MderFloat {
  const special = SFLOAT_SPECIALS.get(raw);
  if (special) return { kind: 'special', special };
  let mantissa = raw & 0x0fff;
  if (mantissa >= 0x0800) mantissa -= 0x1000;
  let exponent = raw >> 12;
  if (exponent >= 0x8) exponent -= 0x10;
  return { kind: 'number', mantissa, exponent };
}

/** Decodes a raw 32-bit FLOAT word. */
export function floatFromRaw(raw: number): MderFloat {
  const special = FLOAT_SPECIALS.get(raw >>> 0);
  if (special) return { kind: 'special', special };
  let mantissa = raw & 0x00ffffff;
  if (mantissa >= 0x00800000) mantissa -= 0x01000000;
  let exponent = (raw >>> 24) & 0xff;
  if (exponent >= 0x80) exponent -= 0x100;
  return { kind: 'number', mantissa, exponent };
}

function encodeRaw(
  f: MderFloat,
  codec: string,
  field: string,
  offset: number,
  bits: {
    mantissa: number;
    exponent: number;
    specials: ReadonlyMap<MderSpecial, number>;
    reserved: ReadonlyMap<number, MderSpecial>;
  },
): number {
  if (f.kind === 'special') return bits.specials.get(f.special)!;
  const mMax = 2 ** (bits.mantissa - 1) - 1;
  const eMax = 2 ** (bits.exponent - 1) - 1;
  const { mantissa, exponent } = f;
  if (!Number.isInteger(mantissa) || mantissa < -mMax - 1 || mantissa > mMax) {
    throw new CodecError(
      'invalid_value',
      codec,
      field,
      offset,
      `mantissa ${mantissa} does not fit ${bits.mantissa} bits`,
    );
  }
  if (!Number.isInteger(exponent) || exponent < -eMax - 1 || exponent > eMax) {
    throw new CodecError(
      'invalid_value',
      codec,
      field,
      offset,
      `exponent ${exponent} does not fit ${bits.exponent} bits`,
    );
  }
  const mMask = 2 ** bits.mantissa - 1;
  const eMask = 2 ** bits.exponent - 1;
  const raw = ((exponent & eMask) * 2 ** bits.mantissa + (mantissa & mMask)) >>> 0;
  if (bits.reserved.has(raw)) {
    throw new CodecError(
      'invalid_value',
      codec,
      field,
      offset,
      `${mantissa}e${exponent} collides with a reserved special value`,
    );
  }
  return raw;
}

/** Encodes an SFLOAT to its raw 16-bit word; numbers that would collide with a special word are refused. */
export function sfloatToRaw(f: MderFloat, codec = 'sfloat', field = 'value', offset = 0): number {
  return encodeRaw(f, codec, field, offset, {
    mantissa: 12,
    exponent: 4,
    specials: SFLOAT_RAW,
    reserved: SFLOAT_SPECIALS,
  });
}

/** Encodes a FLOAT to its raw 32-bit word. */
export function floatToRaw(f: MderFloat, codec = 'float', field = 'value', offset = 0): number {
  return encodeRaw(f, codec, field, offset, {
    mantissa: 24,
    exponent: 8,
    specials: FLOAT_RAW,
    reserved: FLOAT_SPECIALS,
  });
}

/** Reads an SFLOAT field. */
export function readSfloat(r: ByteReader, field: string): MderFloat {
  return sfloatFromRaw(r.u16(field));
}

/** Reads a FLOAT field. */
export function readFloat(r: ByteReader, field: string): MderFloat {
  return floatFromRaw(r.u32(field));
}

/** Writes an SFLOAT field. */
export function writeSfloat(w: ByteWriter, f: MderFloat, field: string): void {
  w.u16(sfloatToRaw(f, w.codec, field, w.length), field);
}

/** Writes a FLOAT field. */
export function writeFloat(w: ByteWriter, f: MderFloat, field: string): void {
  w.u32(floatToRaw(f, w.codec, field, w.length), field);
}

/** The JSON view used by `fieldkit decode` and vectors.json: a number, or the special's name. */
export function mderJson(f: MderFloat): number | MderSpecial {
  return f.kind === 'special' ? f.special : mderValue(f)!;
}

/** `{<prefix>_mantissa, <prefix>_exponent}` for a number (nothing for a special): the precision a JSON number hides. */
export function mderPartsJson(prefix: string, f: MderFloat): { [key: string]: number } {
  return f.kind === 'number'
    ? { [`${prefix}_mantissa`]: f.mantissa, [`${prefix}_exponent`]: f.exponent }
    : {};
}
