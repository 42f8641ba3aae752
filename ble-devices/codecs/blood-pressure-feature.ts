import { bitNames } from './codec.ts';
import { featureWordCodec } from './feature-word.ts';
import { bitFlags, type NameTable } from './tables.ts';

/** Blood Pressure Feature bits (DEVICES.md 2.3; bits 6-8 are BLS 1.1, [likely]). */
export const BP_FEATURE_BITS: NameTable = [
  'body_movement_detection',
  'cuff_fit_detection',
  'irregular_pulse_detection',
  'pulse_rate_range_detection',
  'measurement_position_detection',
  'multiple_bond',
  'e2e_crc',
  'user_data_service',
  'user_facing_time',
];

/** Codec for 0x2A49: which Measurement Status bits the cuff can actually set. */
export const bloodPressureFeature = featureWordCodec({
  name: 'blood_pressure_feature',
  uuid: 0x2a49,
  size: 2,
  view: (raw) => ({ ...bitFlags(raw, BP_FEATURE_BITS), features: bitNames(raw, BP_FEATURE_BITS) }),
});
