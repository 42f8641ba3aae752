import { defineCodec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { enumName, type NameTable } from './tables.ts';

/** Body Sensor Location values (0x2A38, DEVICES.md 1.2); 7-255 reserved. */
export const BODY_SENSOR_LOCATIONS: NameTable = [
  'other',
  'chest',
  'wrist',
  'finger',
  'hand',
  'ear_lobe',
  'foot',
];

/**
 * Codec for Body Sensor Location (0x2A38): where the heart-rate sensor sits, kept so a wrist
 * optical reading is not mistaken for a chest-strap ECG one. The value is the raw code.
 */
export const bodySensorLocation = defineCodec<number>({
  name: 'body_sensor_location',
  version: '1.0.0',
  uuid: 0x2a38,
  maxBytes: 1,
  decode(bytes) {
    const r = new ByteReader(bytes, 'body_sensor_location');
    const code = r.u8('location');
    r.end();
    return code;
  },
  encode(code) {
    return new ByteWriter('body_sensor_location').u8(code, 'location').finish();
  },
  toJson(code) {
    return { location: enumName(BODY_SENSOR_LOCATIONS, code), code };
  },
});

/**
 * Codec for Heart Rate Control Point (0x2A39): the only defined write is 0x01, reset Energy
 * Expended; simulators decode it to decide whether to answer ATT error 0x80.
 */
export const heartRateControlPoint = defineCodec<number>({
  name: 'heart_rate_control_point',
  version: '1.0.0',
  uuid: 0x2a39,
  maxBytes: 1,
  decode(bytes) {
    const r = new ByteReader(bytes, 'heart_rate_control_point');
    const op = r.u8('op_code');
    r.end();
    return op;
  },
  encode(op) {
    return new ByteWriter('heart_rate_control_point').u8(op, 'op_code').finish();
  },
  toJson(op) {
    return { op_code: op, command: op === 1 ? 'reset_energy_expended' : 'reserved' };
  },
});
