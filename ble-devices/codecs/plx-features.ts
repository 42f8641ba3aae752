import { bitNames, defineCodec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { DEVICE_SENSOR_STATUS_BITS, MEASUREMENT_STATUS_BITS } from './plx-status.ts';
import type { NameTable } from './tables.ts';

/** PLX Supported Features bits (DEVICES.md 4.4). */
export const PLX_FEATURE_BITS: NameTable = [
  'measurement_status_support',
  'device_sensor_status_support',
  'spot_check_measurement_storage',
  'spot_check_timestamp',
  'spo2pr_fast',
  'spo2pr_slow',
  'pulse_amplitude_index',
  'multiple_bonds',
];

/**
 * PLX Features (0x2A60): what the oximeter can report, read once at connection so the kit knows
 * whether to expect fast/slow pairs, PAI or RACP storage.
 */
export interface PlxFeatures {
  readonly supported: number;
  /** Present only when supported-features bit 0 is set. */
  readonly measurementStatusSupport: number | null;
  /** Present only when supported-features bit 1 is set. */
  readonly deviceSensorStatusSupport: number | null;
}

const NAME = 'plx_features';

/** Codec for 0x2A60 (2, 4, 5 or 7 bytes). */
export const plxFeatures = defineCodec<PlxFeatures>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a60,
  maxBytes: 7,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const supported = r.u16('supported_features');
    const measurementStatusSupport = supported & 0x01 ? r.u16('measurement_status_support') : null;
    const deviceSensorStatusSupport = supported & 0x02 ? r.u24('device_sensor_status_support') : null;
    r.end();
    return { supported, measurementStatusSupport, deviceSensorStatusSupport };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const supported =
      (m.supported & ~0x03) |
      (m.measurementStatusSupport !== null ? 0x01 : 0) |
      (m.deviceSensorStatusSupport !== null ? 0x02 : 0);
    w.u16(supported, 'supported_features');
    if (m.measurementStatusSupport !== null) w.u16(m.measurementStatusSupport, 'measurement_status_support');
    if (m.deviceSensorStatusSupport !== null) {
      w.u24(m.deviceSensorStatusSupport, 'device_sensor_status_support');
    }
    return w.finish();
  },
  toJson(m): JsonObject {
    const json: JsonObject = {
      supported_features_raw: m.supported,
      supported_features: bitNames(m.supported, PLX_FEATURE_BITS),
      measurement_status_support_raw: m.measurementStatusSupport,
      device_sensor_status_support_raw: m.deviceSensorStatusSupport,
    };
    if (m.measurementStatusSupport !== null) {
      json.measurement_status_support = bitNames(m.measurementStatusSupport, MEASUREMENT_STATUS_BITS);
    }
    if (m.deviceSensorStatusSupport !== null) {
      json.device_sensor_status_support = bitNames(m.deviceSensorStatusSupport, DEVICE_SENSOR_STATUS_BITS);
    }
    return json;
  },
});
