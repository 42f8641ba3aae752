import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkObservationBody,
  packObservation,
  readObservation,
  unpackObservation,
} from '../tables/observation-codec.ts';
import { ObservationInput } from './observation.ts';
import { USES_ZOD_DATETIME_PATTERN, checkObservation, checkObservationRecord } from './observation-check.ts';
import { ObservationBody } from './stored-observation.ts';
import { sampleObservation } from '../testing.ts';

const text = (min: number, max: number) => fc.string({ minLength: min, maxLength: max });
const code = fc.record(
  {
    loinc: fc.stringMatching(/^\d{1,7}-\d$/),
    display: text(1, 200),
    mdc: fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.double()),
  },
  { requiredKeys: ['loinc', 'display'] },
);
const value = fc.oneof(
  fc.record({
    kind: fc.constant('quantity'),
    value: fc.oneof(fc.double(), fc.integer()),
    precision: fc.integer({ min: -1, max: 13 }),
    unit: text(0, 33),
  }),
  fc.record({
    kind: fc.constant('absent'),
    reason: fc.constantFrom('not-a-number', 'positive-infinity', 'masked', 'unknown', 'bogus'),
  }),
);
const provenance = fc.record(
  {
    deviceId: text(0, 130),
    deviceName: fc.oneof(text(0, 130), fc.constant(undefined)),
    characteristic: text(1, 64),
    codec: text(1, 64),
    codecVersion: text(1, 33),
    raw: fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constant(new Uint8Array(4097))),
    clockOffsetMs: fc.oneof(fc.double(), fc.constant(undefined)),
    deviceTime: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('1970-01-01T00:00:00+03:00', '2019-13-01T00:00:00Z', 'never', undefined),
    ),
    serial: fc.oneof(text(0, 130), fc.constant(undefined)),
    sequenceNumber: fc.oneof(
      fc.integer({ min: 0, max: 0xffff }),
      fc.constantFrom(-1, 0x10000, 1.5, Number.NaN, undefined),
    ),
  },
  { requiredKeys: ['deviceId', 'characteristic', 'codec', 'codecVersion', 'raw'] },
);
const observation = fc.record(
  {
    visitId: fc.oneof(text(0, 70), fc.constant(null)),
    patientId: fc.oneof(text(0, 70), fc.constant(null)),
    code,
    value: fc.oneof(value, fc.constant(null)),
    components: fc.array(fc.record({ code, value }), { maxLength: 17 }),
    status: fc.constantFrom('final', 'preliminary', 'entered-in-error', 'draft'),
    category: fc.constantFrom('vital-signs', 'laboratory', 'imaging'),
    effectiveAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2025-01-01T08:00:00+03:00', '2025-02-29T00:00:00Z', 'yesterday', '2025-01-01'),
    ),
    provenance,
    extra: fc.anything(),
  },
  {
    requiredKeys: [
      'visitId',
      'patientId',
      'code',
      'value',
      'status',
      'category',
      'effectiveAt',
      'provenance',
    ],
  },
);

/** Replaces one field somewhere in the object with anything at all (or deletes it). */
function mutate(input: unknown, path: number[], replacement: unknown): unknown {
  if (typeof input !== 'object' || input === null || input instanceof Uint8Array) return replacement;
  const copy: Record<string, unknown> = Array.isArray(input) ? { ...(input as unknown[]) } : { ...input };
  const keys = Object.keys(copy);
  if (keys.length === 0 || path.length === 0) return replacement;
  const key = keys[(path[0] ?? 0) % keys.length] ?? '';
  if (replacement === 'DELETE' && path.length === 1) delete copy[key];
  else copy[key] = mutate(copy[key], path.slice(1), replacement);
  return copy;
}

function agree(input: unknown): void {
  const zod = ObservationInput.safeParse(input);
  const fast = checkObservation(input);
  expect(fast !== undefined).toBe(zod.success);
  if (zod.success) expect(fast).toStrictEqual(zod.data);
  // The write path's form: the same verdict and fields, in zod's order, then the two stamps.
  const record = checkObservationRecord(input);
  expect(record !== undefined).toBe(zod.success);
  if (zod.success) {
    expect(record).toStrictEqual({ ...zod.data, recordedAt: '', id: '' });
    expect(Object.keys(record ?? {})).toEqual([...Object.keys(zod.data), 'recordedAt', 'id']);
  }
}

describe('checkObservation (plain-code twin of the zod schema)', () => {
  it('accepts and shapes the sample readings exactly as zod does', () => {
    for (let i = 0; i < 20; i++) agree(sampleObservation(i));
  });

  it('agrees with zod on generated observations, valid or not', () => {
    fc.assert(fc.property(observation, agree), { numRuns: 3000 });
  });

  it('agrees with zod when any one field is replaced by anything or removed', () => {
    fc.assert(
      fc.property(
        observation,
        fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
        fc.oneof(fc.anything(), fc.constant('DELETE'), fc.constant(undefined), fc.constant(null)),
        (input, path, replacement) => agree(mutate(input, path, replacement)),
      ),
      { numRuns: 3000 },
    );
  });

  it("tests zod's own datetime pattern directly, and agrees with zod on near-ISO times", () => {
    expect(USES_ZOD_DATETIME_PATTERN).toBe(true);
    // ISO strings with one character replaced, offsets, fractions, leap days: the pattern's edges.
    const nearIso = fc
      .tuple(
        fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(2400, 0, 1)) }),
        fc.nat(40),
        fc.constantFrom('', '0', '9', 'Z', '+', '-', ':', '.', 'T', ' ', '+03:00', '-24:00', '.5'),
      )
      .map(([d, at, ch]) => {
        const iso = d.toISOString();
        const i = at % (iso.length + 1);
        return iso.slice(0, i) + ch + iso.slice(i + (ch.length > 0 && at % 2 === 0 ? 1 : 0));
      });
    fc.assert(
      fc.property(nearIso, (effectiveAt) => agree({ ...sampleObservation(1), effectiveAt })),
      { numRuns: 3000 },
    );
  });

  it('rejects what is not an object', () => {
    fc.assert(fc.property(fc.anything(), agree), { numRuns: 500 });
  });

  it('round-trips stored bodies through the positional layout, checked like ObservationBody', () => {
    fc.assert(
      fc.property(observation, fc.string(), (input, recordedAt) => {
        const parsed = ObservationInput.safeParse(input);
        if (!parsed.success) return;
        const body = { ...parsed.data, recordedAt };
        const back = checkObservationBody(unpackObservation(packObservation(body)));
        // toEqual: an optional field given as undefined comes back absent, which zod treats alike.
        expect(back).toEqual(ObservationBody.parse(body));
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects malformed positional bodies like zod rejects their unpacked form', () => {
    fc.assert(
      fc.property(fc.anything(), (packed) => {
        const unpacked = unpackObservation(packed);
        const fast = checkObservationBody(unpacked);
        expect(fast !== undefined).toBe(ObservationBody.safeParse(unpacked).success);
      }),
      { numRuns: 500 },
    );
  });
});

describe('readObservation (in-place read check)', () => {
  const same = (packed: unknown) => {
    const copied = checkObservationBody(unpackObservation(packed));
    const inPlace = readObservation(packed);
    expect(inPlace !== undefined).toBe(copied !== undefined);
    if (copied !== undefined) expect(inPlace).toStrictEqual(copied);
  };

  it('gives what unpack then checkObservationBody gives, on stored bodies and one-field mutations', () => {
    fc.assert(
      fc.property(
        observation,
        fc.string(),
        fc.array(fc.nat(20), { maxLength: 3 }),
        fc.oneof(fc.anything(), fc.constant('DELETE'), fc.constant(undefined), fc.constant(null)),
        (input, recordedAt, path, replacement) => {
          let packed: unknown[];
          try {
            packed = packObservation({ ...input, recordedAt });
          } catch {
            return;
          }
          same(packed);
          if (path.length > 0) same(Object.values(mutate(packed, path, replacement) as object));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('rejects what is not a positional body', () => {
    fc.assert(fc.property(fc.anything(), same), { numRuns: 500 });
  });
});
