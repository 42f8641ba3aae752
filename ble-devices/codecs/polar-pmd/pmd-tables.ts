/**
 * Polar Measurement Data (PMD) service constants, as polar-ble-sdk names them
 * (Android `BlePMDClient.kt`, `PmdMeasurementType.kt`, `PmdControlPointCommand.kt`,
 * `PmdControlPointResponse.kt`, `PmdSetting.kt`). Data, not code, so the codecs, the driver and
 * the simulator read one table.
 */

/** PMD service and its two characteristics (128-bit, lower case as the kit compares them). */
export const PMD_SERVICE = 'fb005c80-02e7-f387-1cad-8acd2d8df0c8';
/** Control point: read (features), write (requests), indicate (responses). */
export const PMD_CONTROL_POINT = 'fb005c81-02e7-f387-1cad-8acd2d8df0c8';
/** Data: notify, one frame per notification. */
export const PMD_DATA = 'fb005c82-02e7-f387-1cad-8acd2d8df0c8';

/** Measurement type ids (low 6 bits of the type byte). */
export const PMD_MEASUREMENT: Readonly<Record<string, number>> = {
  ecg: 0,
  ppg: 1,
  acc: 2,
  ppi: 3,
  gyro: 5,
  magnetometer: 6,
  skin_temp: 7,
  sdk_mode: 9,
  location: 10,
  pressure: 11,
  temperature: 12,
  offline_recording: 13,
  offline_hr: 14,
  offline_temp: 15,
};

/** Measurement type id of ECG. */
export const PMD_ECG = 0;
/** The type byte's low 6 bits carry the measurement; the top bits the recording type. */
export const PMD_MEASUREMENT_MASK = 0x3f;

/** Name of a measurement id, or `type_<n>` for ids the SDK does not list. */
export function measurementName(id: number): string {
  const found = Object.entries(PMD_MEASUREMENT).find(([, v]) => v === id);
  return found ? found[0] : `type_${id}`;
}

/** Client-to-service op codes the kit uses (`PmdControlPointCommandClientToService`). */
export const PMD_OP = {
  get_measurement_settings: 1,
  request_measurement_start: 2,
  stop_measurement: 3,
} as const;
/** One of {@link PMD_OP}'s names. */
export type PmdOpName = keyof typeof PMD_OP;

/** Name of an op code the kit knows, else undefined. */
export function opName(code: number): PmdOpName | undefined {
  return (Object.keys(PMD_OP) as PmdOpName[]).find((k) => PMD_OP[k] === code);
}

/** First byte of a response to a client request. */
export const PMD_RESPONSE_CODE = 0xf0;
/** Service-initiated message: the online measurement(s) listed after it stopped. */
export const PMD_ONLINE_MEASUREMENT_STOPPED = 0x01;

/** Response status codes (`PmdControlPointResponseCode`), index = wire value. */
export const PMD_STATUS: readonly string[] = [
  'success',
  'invalid_op_code',
  'invalid_measurement_type',
  'not_supported',
  'invalid_length',
  'invalid_parameter',
  'already_in_state',
  'invalid_resolution',
  'invalid_sample_rate',
  'invalid_range',
  'invalid_mtu',
  'invalid_number_of_channels',
  'invalid_state',
  'device_in_charger',
  'disk_full',
];

/** Name of a status code (`unknown_<n>` beyond the SDK's table). */
export function statusName(code: number): string {
  return PMD_STATUS[code] ?? `unknown_${code}`;
}

/** Setting types of the settings TLV and their field sizes in bytes (`PmdSetting.typeToFieldSize`). */
export const PMD_SETTING_TYPES: ReadonlyArray<{ readonly name: PmdSettingName; readonly size: 1 | 2 | 4 }> = [
  { name: 'sample_rate', size: 2 },
  { name: 'resolution', size: 2 },
  { name: 'range', size: 2 },
  { name: 'range_milliunit', size: 4 },
  { name: 'channels', size: 1 },
  { name: 'factor', size: 4 },
];
/** Names of the setting types, index = wire value. */
export type PmdSettingName =
  'sample_rate' | 'resolution' | 'range' | 'range_milliunit' | 'channels' | 'factor';

/** What the H10 offers and the kit asks for: ECG at 130 Hz, 14-bit (polar-ble-sdk README, H10 section). */
export const H10_ECG_SAMPLE_RATE = 130;
/** See {@link H10_ECG_SAMPLE_RATE}. */
export const H10_ECG_RESOLUTION = 14;
