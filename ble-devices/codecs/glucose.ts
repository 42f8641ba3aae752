import { bitNames, defineCodec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { GLUCOSE_LOCATIONS, GLUCOSE_TYPES, SENSOR_STATUS_BITS } from './glucose-tables.ts';
import { mderJson, mderValue, readSfloat, writeSfloat, type MderFloat } from './ieee11073-float.ts';
import { enumName, packNibbles } from './tables.ts';

/** The concentration block of a glucose record (flags bit 1), with its SI unit as sent. */
export interface GlucoseConcentration {
  readonly value: MderFloat;
  readonly unit: 'kg/L' | 'mol/L';
  /** Type nibble code (sample kind). */
  readonly type: number;
  /** Sample Location nibble code. */
  readonly sampleLocation: number;
}

/**
 * Glucose Measurement (0x2A18, DEVICES.md 5.1): one stored meter record. The sequence number is
 * the dedupe key for RACP downloads; user-facing time = base time + offset minutes.
 */
export interface GlucoseMeasurement {
  readonly sequenceNumber: number;
  readonly baseTime: DateTime;
  readonly timeOffsetMinutes: number | null;
  readonly concentration: GlucoseConcentration | null;
  readonly sensorStatus: number | null;
  readonly contextFollows: boolean;
}

const NAME = 'glucose_measurement';

/** The value shifted by a power of ten, exactly (kg/L -> mg/dL is +5, mol/L -> mmol/L is +3). */
export function shiftDecimal(f: MderFloat, places: number): MderFloat {
  return f.kind === 'number' ? { kind: 'number', mantissa: f.mantissa, exponent: f.exponent + places } : f;
}

function concentrationJson(c: GlucoseConcentration | null): JsonObject {
  if (!c) return { concentration: null, concentration_unit: null, type: null, sample_location: null };
  const json: JsonObject = {
    concentration: mderJson(c.value),
    concentration_unit: c.unit,
    type: enumName(GLUCOSE_TYPES, c.type),
    type_code: c.type,
    sample_location: enumName(GLUCOSE_LOCATIONS, c.sampleLocation),
    location_code: c.sampleLocation,
  };
  if (c.value.kind === 'number') {
    json.mantissa = c.value.mantissa;
    json.exponent = c.value.exponent;
    if (c.unit === 'kg/L') json.concentration_mg_dL = mderValue(shiftDecimal(c.value, 5));
    else json.concentration_mmol_L = mderValue(shiftDecimal(c.value, 3));
  }
  return json;
}

/** Codec for 0x2A18 (10-17 bytes). */
export const glucoseMeasurement = defineCodec<GlucoseMeasurement>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a18,
  maxBytes: 17,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u8('flags');
    const sequenceNumber = r.u16('sequence_number');
    const baseTime = readDateTime(r, 'base_time');
    const timeOffsetMinutes = flags & 0x01 ? r.s16('time_offset') : null;
    let concentration: GlucoseConcentration | null = null;
    if (flags & 0x02) {
      const value = readSfloat(r, 'concentration');
      const typeLocation = r.u8('type_sample_location');
      const unit = flags & 0x04 ? 'mol/L' : 'kg/L';
      concentration = { value, unit, type: typeLocation & 0x0f, sampleLocation: typeLocation >> 4 };
    }
    const sensorStatus = flags & 0x08 ? r.u16('sensor_status') : null;
    const contextFollows = (flags & 0x10) !== 0;
    r.end();
    return { sequenceNumber, baseTime, timeOffsetMinutes, concentration, sensorStatus, contextFollows };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const c = m.concentration;
    const flags =
      (m.timeOffsetMinutes !== null ? 0x01 : 0) |
      (c ? 0x02 : 0) |
      (c?.unit === 'mol/L' ? 0x04 : 0) |
      (m.sensorStatus !== null ? 0x08 : 0) |
      (m.contextFollows ? 0x10 : 0);
    w.u8(flags, 'flags');
    w.u16(m.sequenceNumber, 'sequence_number');
    writeDateTime(w, m.baseTime, 'base_time');
    if (m.timeOffsetMinutes !== null) w.s16(m.timeOffsetMinutes, 'time_offset');
    if (c) {
      writeSfloat(w, c.value, 'concentration');
      w.u8(packNibbles(w, c.type, c.sampleLocation, 'type_sample_location'), 'type_sample_location');
    }
    if (m.sensorStatus !== null) w.u16(m.sensorStatus, 'sensor_status');
    return w.finish();
  },
  toJson(m) {
    const json: JsonObject = {
      sequence_number: m.sequenceNumber,
      base_time: { ...m.baseTime },
      time_offset_min: m.timeOffsetMinutes,
      ...concentrationJson(m.concentration),
      sensor_status_raw: m.sensorStatus,
      context_follows: m.contextFollows,
    };
    if (m.sensorStatus !== null) json.sensor_status = bitNames(m.sensorStatus, SENSOR_STATUS_BITS);
    return json;
  },
});
