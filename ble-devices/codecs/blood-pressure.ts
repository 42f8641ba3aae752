import { defineCodec, type Codec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { mderJson, readSfloat, writeSfloat, type MderFloat } from './ieee11073-float.ts';

/**
 * Blood Pressure Measurement (0x2A35) and Intermediate Cuff Pressure (0x2A36), one layout
 * (DEVICES.md 2.1, 2.2). For the intermediate form the systolic slot is the live cuff pressure
 * and the other two slots are ignored by the kit whatever they hold.
 */
export interface BloodPressure {
  readonly unit: 'mmHg' | 'kPa';
  readonly systolic: MderFloat;
  readonly diastolic: MderFloat;
  readonly meanArterial: MderFloat;
  readonly timestamp: DateTime | null;
  readonly pulseRate: MderFloat | null;
  readonly userId: number | null;
  readonly status: number | null;
}

const PULSE_RANGE = ['in_range', 'exceeds_upper_limit', 'below_lower_limit', 'reserved'] as const;

function statusJson(raw: number): JsonObject {
  return {
    body_movement: (raw & 0x01) !== 0,
    cuff_too_loose: (raw & 0x02) !== 0,
    irregular_pulse: (raw & 0x04) !== 0,
    pulse_rate_range: PULSE_RANGE[(raw >> 3) & 0x03]!,
    improper_position: (raw & 0x20) !== 0,
  };
}

function bloodPressureCodec(name: string, uuid: number): Codec<BloodPressure> {
  return defineCodec<BloodPressure>({
    name,
    version: '1.0.0',
    uuid,
    maxBytes: 19,
    decode(bytes) {
      const r = new ByteReader(bytes, name);
      const flags = r.u8('flags');
      const unit = flags & 0x01 ? 'kPa' : 'mmHg';
      const systolic = readSfloat(r, 'systolic');
      const diastolic = readSfloat(r, 'diastolic');
      const meanArterial = readSfloat(r, 'mean_arterial');
      const timestamp = flags & 0x02 ? readDateTime(r, 'timestamp') : null;
      const pulseRate = flags & 0x04 ? readSfloat(r, 'pulse_rate') : null;
      const userId = flags & 0x08 ? r.u8('user_id') : null;
      const status = flags & 0x10 ? r.u16('status') : null;
      r.end();
      return { unit, systolic, diastolic, meanArterial, timestamp, pulseRate, userId, status };
    },
    encode(m) {
      const w = new ByteWriter(name);
      const flags =
        (m.unit === 'kPa' ? 0x01 : 0) |
        (m.timestamp ? 0x02 : 0) |
        (m.pulseRate ? 0x04 : 0) |
        (m.userId !== null ? 0x08 : 0) |
        (m.status !== null ? 0x10 : 0);
      w.u8(flags, 'flags');
      writeSfloat(w, m.systolic, 'systolic');
      writeSfloat(w, m.diastolic, 'diastolic');
      writeSfloat(w, m.meanArterial, 'mean_arterial');
      if (m.timestamp) writeDateTime(w, m.timestamp, 'timestamp');
      if (m.pulseRate) writeSfloat(w, m.pulseRate, 'pulse_rate');
      if (m.userId !== null) w.u8(m.userId, 'user_id');
      if (m.status !== null) w.u16(m.status, 'status');
      return w.finish();
    },
    toJson(m) {
      const json: JsonObject = {
        unit: m.unit,
        systolic: mderJson(m.systolic),
        diastolic: mderJson(m.diastolic),
        mean_arterial: mderJson(m.meanArterial),
        timestamp: m.timestamp ? { ...m.timestamp } : null,
        pulse_rate: m.pulseRate ? mderJson(m.pulseRate) : null,
        user_id: m.userId,
        status_raw: m.status,
      };
      if (m.status !== null) json.status = statusJson(m.status);
      return json;
    },
  });
}

/** Codec for 0x2A35 (indicated; the stored measurement). */
export const bloodPressureMeasurement = bloodPressureCodec('blood_pressure_measurement', 0x2a35);
/** Codec for 0x2A36 (notified while the cuff inflates; display only, never stored). */
export const intermediateCuffPressure = bloodPressureCodec('intermediate_cuff_pressure', 0x2a36);
