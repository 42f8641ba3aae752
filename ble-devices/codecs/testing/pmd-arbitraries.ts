import fc from 'fast-check';
import type { PmdResponse } from '../polar-pmd/pmd-control-point.ts';
import type { PmdSetting } from '../polar-pmd/pmd-settings.ts';
import { PMD_MEASUREMENT, PMD_SETTING_TYPES } from '../polar-pmd/pmd-tables.ts';
import { uint } from './arbitraries.ts';

/**
 * fast-check generators for the Polar PMD codecs (kept apart from the GATT profiles' table so the
 * two grow without touching each other). Test-only.
 */

const u8 = uint(8);
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });

/** Any settings TLV entry, its values sized to the type's field. */
export const pmdSettingArb: fc.Arbitrary<PmdSetting> = fc.constantFrom(...PMD_SETTING_TYPES).chain((t) =>
  fc.record({
    type: fc.constant(t.name),
    values: fc.array(t.size === 1 ? u8 : t.size === 2 ? uint(16) : int32, { maxLength: 6 }),
  }),
);

const FEATURE_ORDER = [0, 1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 14];

const response: fc.Arbitrary<PmdResponse> = fc.oneof(
  fc
    .record({ op: u8, measurementType: u8, status: u8, more: fc.option(fc.boolean(), { nil: null }) })
    .chain((h) =>
      (h.more === null ? fc.constant([] as number[]) : fc.array(u8, { maxLength: 40 })).map((parameters) => ({
        kind: 'response' as const,
        ...h,
        parameters,
      })),
    ),
  fc.record({
    kind: fc.constant('measurement_stopped' as const),
    measurementTypes: fc.array(u8, { maxLength: 4 }),
  }),
);

/** Generators by codec name, merged into VALUE_ARBITRARIES. */
export const PMD_ARBITRARIES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  pmd_ecg_data: fc.record({
    timestampNs: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    samples: fc.array(fc.integer({ min: -0x800000, max: 0x7fffff }), { maxLength: 167 }),
  }),
  pmd_control_point_request: fc.oneof(
    fc.record({
      op: fc.constant('request_measurement_start' as const),
      measurementType: fc.integer({ min: 0, max: 63 }),
      recording: fc.constantFrom('online' as const, 'offline' as const),
      settings: fc.array(pmdSettingArb, { maxLength: 5 }),
    }),
    fc.record({
      op: fc.constantFrom('get_measurement_settings' as const, 'stop_measurement' as const),
      measurementType: fc.constantFrom(...Object.values(PMD_MEASUREMENT)),
      recording: fc.constantFrom('online' as const, 'offline' as const),
      settings: fc.constant([]),
    }),
  ),
  pmd_control_point_response: response,
  pmd_features: fc.record({
    header: u8,
    measurementTypes: fc.subarray(FEATURE_ORDER),
  }),
};
