import { bitNames } from './codec.ts';
import { featureWordCodec } from './feature-word.ts';
import type { NameTable } from './tables.ts';

/** Glucose Feature bits (DEVICES.md 5.3). */
export const GLUCOSE_FEATURE_BITS: NameTable = [
  'low_battery_detection',
  'sensor_malfunction_detection',
  'sample_size',
  'strip_insertion_error_detection',
  'strip_type_error_detection',
  'result_high_low_detection',
  'temperature_high_low_detection',
  'read_interrupt_detection',
  'general_device_fault',
  'time_fault',
  'multiple_bond',
];

/** Codec for 0x2A51: which Sensor Status Annunciation bits the meter can report. */
export const glucoseFeature = featureWordCodec({
  name: 'glucose_feature',
  uuid: 0x2a51,
  size: 2,
  view: (raw) => ({ features: bitNames(raw, GLUCOSE_FEATURE_BITS) }),
});
