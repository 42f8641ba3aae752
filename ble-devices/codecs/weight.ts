import { defineCodec, type Json } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { scaled } from './tables.ts';

/** The weight count that means "Measurement Unsuccessful" (DEVICES.md 6.1). */
export const WEIGHT_UNSUCCESSFUL = 0xffff;

/**
 * Weight Measurement (0x2A9D, DEVICES.md 6.1). Counts stay raw (0.005 kg or 0.01 lb per count,
 * BMI 0.1, height 1 mm or 0.1 in) so re-encoding is exact; the JSON view scales them.
 */
export interface WeightMeasurement {
  readonly imperial: boolean;
  readonly weightRaw: number;
  readonly timestamp: DateTime | null;
  readonly userId: number | null;
  readonly bmiRaw: number | null;
  readonly heightRaw: number | null;
}

const NAME = 'weight_measurement';

/** Weight in kg or lb from its raw count (fixed step per the characteristic, not the feature). */
export function weightValue(raw: number, imperial: boolean): number {
  return imperial ? scaled(raw, 1, 100) : scaled(raw, 5, 1000);
}

/** Height in m or in from its raw count. */
export function heightValue(raw: number, imperial: boolean): number {
  return imperial ? scaled(raw, 1, 10) : scaled(raw, 1, 1000);
}

/** Codec for 0x2A9D (3-15 bytes). */
export const weightMeasurement = defineCodec<WeightMeasurement>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a9d,
  maxBytes: 15,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u8('flags');
    const weightRaw = r.u16('weight');
    const timestamp = flags & 0x02 ? readDateTime(r, 'timestamp') : null;
    const userId = flags & 0x04 ? r.u8('user_id') : null;
    const bmiRaw = flags & 0x08 ? r.u16('bmi') : null;
    const heightRaw = flags & 0x08 ? r.u16('height') : null;
    r.end();
    return { imperial: (flags & 0x01) !== 0, weightRaw, timestamp, userId, bmiRaw, heightRaw };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const bmi = m.bmiRaw !== null && m.heightRaw !== null;
    const flags =
      (m.imperial ? 0x01 : 0) | (m.timestamp ? 0x02 : 0) | (m.userId !== null ? 0x04 : 0) | (bmi ? 0x08 : 0);
    w.u8(flags, 'flags').u16(m.weightRaw, 'weight');
    if (m.timestamp) writeDateTime(w, m.timestamp, 'timestamp');
    if (m.userId !== null) w.u8(m.userId, 'user_id');
    if (m.bmiRaw !== null && m.heightRaw !== null) w.u16(m.bmiRaw, 'bmi').u16(m.heightRaw, 'height');
    return w.finish();
  },
  toJson(m) {
    const weight: Json =
      m.weightRaw === WEIGHT_UNSUCCESSFUL ? 'MEASUREMENT_UNSUCCESSFUL' : weightValue(m.weightRaw, m.imperial);
    return {
      unit: m.imperial ? '[lb_av]' : 'kg',
      weight,
      raw: m.weightRaw,
      timestamp: m.timestamp ? { ...m.timestamp } : null,
      user_id: m.userId,
      bmi: m.bmiRaw === null ? null : scaled(m.bmiRaw, 1, 10),
      height: m.heightRaw === null ? null : heightValue(m.heightRaw, m.imperial),
      height_unit: m.heightRaw === null ? null : m.imperial ? '[in_i]' : 'm',
    };
  },
});
