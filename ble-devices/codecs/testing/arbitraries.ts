import fc from 'fast-check';
import type { DateTime } from '../date-time.ts';
import type { MderFloat, MderSpecial } from '../ieee11073-float.ts';

/**
 * fast-check generators for the codecs' value types, shared by the property tests and the
 * simulators' fuzz scenarios. Test-only: imports fast-check (a dev dependency).
 */

const SPECIALS: readonly MderSpecial[] = ['NaN', 'NRes', '+INF', '-INF', 'RESERVED'];
// Exponent-0 mantissas whose bit patterns are the reserved special words.
const SFLOAT_RESERVED = new Set([2047, 2046, -2048, -2047, -2046]);
const FLOAT_RESERVED = new Set([0x7fffff, 0x7ffffe, -0x800000, -0x7fffff, -0x7ffffe]);

/** An unsigned integer of `bits` bits (up to 40). */
export const uint = (bits: number): fc.Arbitrary<number> =>
  bits <= 31
    ? fc.integer({ min: 0, max: 2 ** bits - 1 })
    : fc
        .tuple(fc.integer({ min: 0, max: 2 ** (bits - 24) - 1 }), fc.integer({ min: 0, max: 0xffffff }))
        .map(([hi, lo]) => hi * 0x1000000 + lo);

const special: fc.Arbitrary<MderFloat> = fc
  .constantFrom(...SPECIALS)
  .map((s) => ({ kind: 'special', special: s }));

function mder(mBits: number, eBits: number, reserved: ReadonlySet<number>): fc.Arbitrary<MderFloat> {
  const number = fc
    .record({
      mantissa: fc.integer({ min: -(2 ** (mBits - 1)), max: 2 ** (mBits - 1) - 1 }),
      exponent: fc.integer({ min: -(2 ** (eBits - 1)), max: 2 ** (eBits - 1) - 1 }),
    })
    .filter((f) => f.exponent !== 0 || !reserved.has(f.mantissa))
    .map((f): MderFloat => ({ kind: 'number', ...f }));
  return fc.oneof({ arbitrary: number, weight: 4 }, { arbitrary: special, weight: 1 });
}

/** Any SFLOAT, specials included. */
export const sfloatArb = mder(12, 4, SFLOAT_RESERVED);
/** Any FLOAT, specials included. */
export const floatArb = mder(24, 8, FLOAT_RESERVED);

/** Any valid Date Time, unknown (0) parts included. */
export const dateTimeArb: fc.Arbitrary<DateTime> = fc.record({
  year: fc.oneof(fc.constant(0), fc.integer({ min: 1582, max: 9999 })),
  month: fc.integer({ min: 0, max: 12 }),
  day: fc.integer({ min: 0, max: 31 }),
  hours: fc.integer({ min: 0, max: 23 }),
  minutes: fc.integer({ min: 0, max: 59 }),
  seconds: fc.integer({ min: 0, max: 59 }),
});

/** `arb` or null (a flag-gated optional field). */
export const opt = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> => fc.option(arb, { nil: null });
