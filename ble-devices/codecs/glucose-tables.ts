import type { NameTable } from './tables.ts';

/** Glucose sample Type nibble (DEVICES.md 5.1); 0 and 11-15 reserved. */
export const GLUCOSE_TYPES: NameTable = [
  undefined,
  'capillary_whole_blood',
  'capillary_plasma',
  'venous_whole_blood',
  'venous_plasma',
  'arterial_whole_blood',
  'arterial_plasma',
  'undetermined_whole_blood',
  'undetermined_plasma',
  'interstitial_fluid',
  'control_solution',
];

/** Glucose Sample Location nibble; 0 and 5-14 reserved, 15 = not available. */
export const GLUCOSE_LOCATIONS: NameTable = [
  undefined,
  'finger',
  'alternate_site_test',
  'earlobe',
  'control_solution',
  ...Array<undefined>(10).fill(undefined),
  'not_available',
];

/** Type code 10 and location code 4: quality-control readings, never patient data. */
export const CONTROL_SOLUTION_TYPE = 10;
/** See {@link CONTROL_SOLUTION_TYPE}. */
export const CONTROL_SOLUTION_LOCATION = 4;

/** Sensor Status Annunciation bits (DEVICES.md 5.1). */
export const SENSOR_STATUS_BITS: NameTable = [
  'device_battery_low',
  'sensor_malfunction',
  'sample_size_insufficient',
  'strip_insertion_error',
  'strip_type_incorrect',
  'result_too_high',
  'result_too_low',
  'sensor_temperature_too_high',
  'sensor_temperature_too_low',
  'read_interrupted',
  'general_device_fault',
  'time_fault',
];

/** Annunciation bits after which the concentration is not a usable number. */
export const SENSOR_STATUS_UNUSABLE_MASK = 0b0110_0111_1110;

/** Context enumerations (DEVICES.md 5.2). */
export const CARBOHYDRATE_IDS: NameTable = [
  undefined,
  'breakfast',
  'lunch',
  'dinner',
  'snack',
  'drink',
  'supper',
  'brunch',
];
/** See {@link CARBOHYDRATE_IDS}. */
export const MEALS: NameTable = [undefined, 'preprandial', 'postprandial', 'fasting', 'casual', 'bedtime'];
/** Tester (low nibble); 15 = not available. */
export const TESTERS: NameTable = [
  undefined,
  'self',
  'health_care_professional',
  'lab_test',
  ...Array<undefined>(11).fill(undefined),
  'not_available',
];
/** Health (high nibble); 15 = not available. */
export const HEALTH: NameTable = [
  undefined,
  'minor_health_issues',
  'major_health_issues',
  'during_menses',
  'under_stress',
  'no_health_issues',
  ...Array<undefined>(9).fill(undefined),
  'not_available',
];
/** Medication ID. */
export const MEDICATION_IDS: NameTable = [
  undefined,
  'rapid_acting_insulin',
  'short_acting_insulin',
  'intermediate_acting_insulin',
  'long_acting_insulin',
  'pre_mixed_insulin',
];
