import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { benchObservation } from '../../bench/store/records.ts';
import { decodeCbor, encodeCbor } from '../cbor.ts';
import { encodeObservationBody } from './observation-cbor.ts';
import type { ObservationBodyOut } from './observation-cbor.ts';
import { packObservation } from './observation-codec.ts';
import { DataAbsentReason, ObservationInput } from '../schema/observation.ts';
import { ObservationBody } from '../schema/stored-observation.ts';

const cborX = (b: ObservationBodyOut) => Buffer.from(encodeCbor(packObservation(b)));
const ours = (b: ObservationBodyOut) => Buffer.from(encodeObservationBody(b));

// A lone surrogate (in unicode mode a surrogate pair is one code point and does not match).
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * What decoding `packObservation(b)` can give back at best: cbor-x writes -0 as the integer 0,
 * and no string with a lone surrogate survives (see `text` in observation-cbor.ts). Undefined
 * when some string has one, so the caller compares with cbor-x's own decode instead.
 */
function decodable(value: unknown): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (value instanceof Uint8Array) return bytes(value);
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? undefined : value;
  if (!Array.isArray(value)) return value;
  const out: unknown[] = [];
  for (const item of value as unknown[]) {
    const d = decodable(item);
    if (d === undefined && item !== undefined) return undefined;
    out.push(d);
  }
  return out;
}

/** Byte strings as one type (cbor-x decodes them as Buffers; bodies may hold plain Uint8Arrays). */
const bytes = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const withBytes = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(withBytes) : value instanceof Uint8Array ? bytes(value) : value;

/** Our bytes equal cbor-x's, and they decode to the packed body (as far as CBOR can carry it). */
function expectSame(b: ObservationBodyOut): void {
  const mine = ours(b);
  const theirs = cborX(b);
  if (!mine.equals(theirs)) expect(mine.toString('hex')).toBe(theirs.toString('hex'));
  const decoded = withBytes(decodeCbor(mine));
  const expected = decodable(packObservation(b));
  expect(decoded).toEqual(expected ?? withBytes(decodeCbor(theirs)));
}

// Well-formed characters of every UTF-8 width (1 to 4 bytes, ASCII controls included).
const wellFormed = fc.oneof(
  fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }),
  fc.integer({ min: 0x400, max: 0x4ff }).map((c) => String.fromCharCode(c)), // Cyrillic, 2 bytes
  fc.constantFrom('пациент', 'Пульс', 'ё', '€', '中', '😀', '🫀', '👩‍⚕️', '\u{10ffff}'),
  fc.integer({ min: 0, max: 0xd7ff }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xe000, max: 0xffff }).map((c) => String.fromCharCode(c)),
);
// The same plus lone surrogates (high and low), for bodies that cannot round-trip.
const anyUnit = fc.oneof(
  wellFormed,
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
);

type Text = (min: number, max: number) => fc.Arbitrary<string>;
/** Strings of min..max UTF-16 units (the schema's measure), lengths spread up to the limit. */
const textOf =
  (char: fc.Arbitrary<string>): Text =>
  (min, max) =>
    fc
      .oneof(
        fc.string({ unit: char, minLength: min, maxLength: max }),
        fc.string({ unit: char, minLength: min, maxLength: max, size: 'max' }),
        fc.string({ unit: 'binary-ascii', minLength: min, maxLength: max, size: 'max' }),
      )
      .map((s) => s.slice(0, max));

const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(
    0,
    -0,
    23,
    24,
    255,
    256,
    65535,
    65536,
    2 ** 31 - 1,
    2 ** 31,
    2 ** 32 - 1,
    2 ** 32,
    -1,
    -24,
    -25,
    -256,
    -257,
    -65536,
    -65537,
    -(2 ** 31),
    -(2 ** 31) - 1,
    -(2 ** 32),
    -(2 ** 32) - 1,
    Number.MAX_SAFE_INTEGER,
    Number.MIN_SAFE_INTEGER,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    0.1,
    -2.5,
    1e-300,
    36.6,
  ),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.float({ noNaN: true, noDefaultInfinity: true }),
);
const nat = fc.oneof(fc.nat(), fc.maxSafeNat(), fc.constantFrom(0, 23, 24, 147842, 2 ** 32 - 1, 2 ** 32));

const raw = fc.oneof(
  fc.uint8Array({ maxLength: 64 }),
  fc.uint8Array({ maxLength: 4096, size: 'max' }),
  fc.constantFrom(0, 23, 24, 255, 256, 4096).map((n) => new Uint8Array(n).fill(0xa5)),
  // A Buffer, and a view at an offset into a bigger buffer, as callers may hand either.
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 8, maxLength: 300 }).map((b) => b.subarray(3, b.length - 2)),
);
const iso = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

function bodyOf(text: Text) {
  const code = fc.record(
    { loinc: fc.stringMatching(/^\d{1,7}-\d$/), display: text(1, 200), mdc: nat },
    { requiredKeys: ['loinc', 'display'] },
  );
  const value = fc.oneof(
    fc.record({
      kind: fc.constant('quantity'),
      value: number,
      precision: fc.integer({ min: 0, max: 12 }),
      unit: text(1, 32),
    }),
    fc.record({ kind: fc.constant('absent'), reason: fc.constantFrom(...DataAbsentReason.options) }),
  );
  const provenance = fc.record(
    {
      deviceId: text(1, 128),
      deviceName: text(0, 128),
      characteristic: text(1, 64),
      codec: text(1, 64),
      codecVersion: text(1, 32),
      raw,
      clockOffsetMs: number,
    },
    { requiredKeys: ['deviceId', 'characteristic', 'codec', 'codecVersion', 'raw'] },
  );
  return fc.record({
    visitId: fc.oneof(text(0, 64), fc.constant(null)),
    patientId: fc.oneof(text(0, 64), fc.constant(null)),
    code,
    value: fc.oneof(value, fc.constant(null)),
    components: fc.array(fc.record({ code, value }), { maxLength: 16 }),
    status: fc.constantFrom(...ObservationInput.shape.status.options),
    category: fc.constantFrom(...ObservationInput.shape.category.options),
    effectiveAt: fc.oneof(
      iso,
      fc.constantFrom('2025-01-01T08:00:00+03:00', '2025-06-30T23:59:59.123456-07:00'),
    ),
    provenance,
    recordedAt: iso,
  });
}

/**
 * Valid stored bodies, parsed by the schema as the store's write path hands them over: mostly
 * well-formed text (so the round trip to packObservation's value is checked), some with lone
 * surrogates anywhere (bytes still checked against cbor-x).
 */
const validBody = fc
  .oneof(
    { arbitrary: bodyOf(textOf(wellFormed)), weight: 3 },
    { arbitrary: bodyOf(textOf(anyUnit)), weight: 1 },
  )
  .map((b) => ObservationBody.parse(b));

/** A small valid body, varied by `i` and `recordedAt`. */
function small(i: number, recordedAt = '2025-01-01T00:00:00.000Z'): ObservationBodyOut {
  return ObservationBody.parse({
    ...benchObservation(i),
    recordedAt,
    provenance: { ...benchObservation(i).provenance, raw: new Uint8Array([i]) },
  });
}

describe('encodeObservationBody', () => {
  it('writes exactly the bytes of encodeCbor(packObservation(body)) for any valid body', () => {
    fc.assert(fc.property(validBody, expectSame), { numRuns: 2500 });
  });

  it('matches cbor-x on every string header boundary, UTF-8 width and lone surrogate', () => {
    const kinds = ['a', 'й', '€', '😀', '\ud800', '\udc00', 'a\ud83d', '\ude00a'];
    for (const kind of kinds)
      for (let units = 0; units <= 300; units++) {
        const s = kind.repeat(Math.ceil(units / kind.length)).slice(0, units);
        expectSame(small(1, s));
      }
    // 16-bit and 32-bit length headers, and the header guess being short (3-byte guess, 5 needed).
    for (const s of [
      'x'.repeat(0xffff),
      'x'.repeat(0x10000),
      'й'.repeat(0x7fff),
      'й'.repeat(0x8000),
      '€'.repeat(40_000),
    ])
      expectSame(small(2, s));
  });

  it('writes lone surrogates as cbor-x does: raw surrogate bytes under 64 units, U+FFFD from 64 on', () => {
    const short = ours(small(3, 'a\ud800'));
    expect(short.includes(Buffer.from([0x64, 0x61, 0xed, 0xa0, 0x80]))).toBe(true);
    const long = ours(small(3, 'a'.repeat(63) + '\ud800'));
    expect(long.includes(Buffer.from('a'.repeat(63) + '\ufffd', 'utf8'))).toBe(true);
    expectSame(small(3, 'a\ud800'));
    expectSame(small(3, 'a'.repeat(63) + '\ud800'));
  });

  it('matches cbor-x on number encodings (ints, -0, beyond 2^32, floats)', () => {
    fc.assert(
      fc.property(number, nat, (n, mdc) => {
        const b = small(4);
        b.code.mdc = mdc;
        b.value = { kind: 'quantity', value: n, precision: 2, unit: 'mmHg' };
        b.provenance.clockOffsetMs = n;
        expectSame(b);
      }),
      { numRuns: 2000 },
    );
    const b = small(4);
    b.value = { kind: 'quantity', value: -0, precision: 0, unit: '°C' };
    // -0 is the integer 0 on the wire (cbor-x's choice, kept): it reads back as +0.
    expect((decodeCbor(ours(b)) as unknown[])[3]).toEqual([0, 0, 0, '°C']);
    expect(Object.is(((decodeCbor(ours(b)) as unknown[])[3] as unknown[])[1], 0)).toBe(true);
  });

  it('returns a view into one scratch buffer that the next call overwrites (seal it at once)', () => {
    const first = encodeObservationBody(small(5));
    const copy = Buffer.from(first);
    const second = encodeObservationBody(small(6));
    expect(second.buffer).toBe(first.buffer);
    expect(second.byteOffset).toBe(first.byteOffset);
    expect(Buffer.from(first).equals(copy)).toBe(false);
  });

  it('grows the scratch for the largest bodies and stays right for small ones after', async () => {
    // A fresh module instance, so the scratch starts at its initial size whatever ran before.
    vi.resetModules();
    const { encodeObservationBody: encode } = await import('./observation-cbor.ts');
    const display = (i: number) => `${'Пульс 😀 '.repeat(25)}${i}`.slice(0, 200);
    const big: ObservationBodyOut = ObservationBody.parse({
      ...benchObservation(9),
      recordedAt: '2025-01-01T00:00:00.000Z',
      visitId: 'в'.repeat(64),
      patientId: 'п'.repeat(64),
      code: { loinc: '1234567-8', display: display(99), mdc: Number.MAX_SAFE_INTEGER },
      components: Array.from({ length: 16 }, (_, i) => ({
        code: { loinc: '8480-6', display: display(i), mdc: 150017 + i },
        value: { kind: 'quantity', value: 120.5 + i, precision: 1, unit: 'ммрт.ст.' },
      })),
      provenance: {
        ...benchObservation(9).provenance,
        deviceId: 'у'.repeat(128),
        deviceName: '😀'.repeat(64),
        raw: new Uint8Array(4096).map((_, i) => i * 13),
        clockOffsetMs: -1234.5,
      },
    });
    const before = encode(small(7));
    const encoded = encode(big);
    expect(encoded.byteLength).toBeGreaterThan(8192);
    expect(encoded.buffer).not.toBe(before.buffer);
    expect(Buffer.from(encoded).equals(cborX(big))).toBe(true);
    expect(withBytes(decodeCbor(encoded))).toEqual(withBytes(packObservation(big)));
    for (let i = 0; i < 3; i++) {
      const b = small(10 + i);
      expect(Buffer.from(encode(b)).equals(cborX(b))).toBe(true);
    }
    expect(Buffer.from(encode(big)).equals(cborX(big))).toBe(true);
  });

  it('encodes the benchmark record like cbor-x', () => {
    for (const i of [0, 1, 199, 12345]) {
      const b: ObservationBodyOut = {
        ...ObservationInput.parse(benchObservation(i)),
        recordedAt: new Date(Date.UTC(2025, 0, 2) + i).toISOString(),
      };
      expectSame(b);
      expect(withBytes(decodeCbor(encodeObservationBody(b)))).toEqual(withBytes(packObservation(b)));
    }
  });
});
