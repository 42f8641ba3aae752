import { bitNames, type JsonObject } from './codec.ts';

/**
 * Bit names of the PLX Measurement Status (uint16) and Device and Sensor Status (uint24), shared
 * by spot-check and continuous measurements (DEVICES.md 4.3). The kit's data-quality policy
 * (demo/test data not exported, bits 13-15 absent) reads these.
 */
export const MEASUREMENT_STATUS_BITS: ReadonlyArray<string | undefined> = [
  undefined,
  undefined,
  undefined,
  undefined,
  undefined,
  'measurement_ongoing',
  'early_estimated_data',
  'validated_data',
  'fully_qualified_data',
  'data_from_measurement_storage',
  'data_for_demonstration',
  'data_for_testing',
  'calibration_ongoing',
  'measurement_unavailable',
  'questionable_measurement_detected',
  'invalid_measurement_detected',
];

/** See {@link MEASUREMENT_STATUS_BITS}. */
export const DEVICE_SENSOR_STATUS_BITS: ReadonlyArray<string | undefined> = [
  'extended_display_update_ongoing',
  'equipment_malfunction_detected',
  'signal_processing_irregularity_detected',
  'inadequate_signal_detected',
  'poor_signal_detected',
  'low_perfusion_detected',
  'erratic_signal_detected',
  'non_pulsatile_signal_detected',
  'questionable_pulse_detected',
  'signal_analysis_ongoing',
  'sensor_interference_detected',
  'sensor_unconnected_to_user',
  'unknown_sensor_connected',
  'sensor_displaced',
  'sensor_malfunctioning',
  'sensor_disconnected',
];

/** Measurement Status bits meaning "this is not patient data" (demonstration, testing). */
export const NOT_PATIENT_DATA_MASK = (1 << 10) | (1 << 11);
/** Measurement Status bits meaning "no usable value" (unavailable, questionable, invalid). */
export const UNUSABLE_MASK = (1 << 13) | (1 << 14) | (1 << 15);

/** The named status bits of a PLX measurement, in the keys vectors.json uses; absent fields add nothing. */
export function plxStatusJson(
  measurementStatus: number | null,
  deviceSensorStatus: number | null,
): JsonObject {
  const json: JsonObject = {};
  if (measurementStatus !== null)
    json.measurement_status = bitNames(measurementStatus, MEASUREMENT_STATUS_BITS);
  if (deviceSensorStatus !== null)
    json.device_sensor_status = bitNames(deviceSensorStatus, DEVICE_SENSOR_STATUS_BITS);
  return json;
}
