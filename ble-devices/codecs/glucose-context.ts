import { defineCodec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { CARBOHYDRATE_IDS, HEALTH, MEALS, MEDICATION_IDS, TESTERS } from './glucose-tables.ts';
import { mderJson, readSfloat, writeSfloat, type MderFloat } from './ieee11073-float.ts';
import { enumName, packNibbles } from './tables.ts';

/**
 * Glucose Measurement Context (0x2A34, DEVICES.md 5.2): meal, tester, exercise, medication and
 * HbA1c for the measurement with the same sequence number.
 *
 * Units policy: the Carbohydrate and Medication SFLOATs are kept exactly as sent and labelled with
 * the SIG XML's literal unit (kg; kg or L for medication). Nordic reads the same number as g/mg/mL;
 * DEVICES.md marks this [uncertain], so the kit neither converts nor exports these two fields.
 */
export interface GlucoseContext {
  readonly sequenceNumber: number;
  readonly extendedFlags: number | null;
  readonly carbohydrate: { readonly id: number; readonly value: MderFloat } | null;
  readonly meal: number | null;
  readonly testerHealth: { readonly tester: number; readonly health: number } | null;
  readonly exercise: { readonly durationSeconds: number; readonly intensityPercent: number } | null;
  readonly medication: { readonly id: number; readonly value: MderFloat; readonly unit: 'kg' | 'L' } | null;
  readonly hba1c: MderFloat | null;
}

const NAME = 'glucose_measurement_context';

function optionalJson(m: GlucoseContext): JsonObject {
  const json: JsonObject = {};
  if (m.carbohydrate) {
    json.carbohydrate_id = enumName(CARBOHYDRATE_IDS, m.carbohydrate.id);
    json.carbohydrate_id_code = m.carbohydrate.id;
    json.carbohydrate = mderJson(m.carbohydrate.value);
    json.carbohydrate_unit = 'kg';
  }
  if (m.meal !== null) json.meal_code = m.meal;
  if (m.testerHealth) {
    json.tester_code = m.testerHealth.tester;
    json.health_code = m.testerHealth.health;
  }
  if (m.exercise) {
    json.exercise_duration_s = m.exercise.durationSeconds;
    json.exercise_duration_overrun = m.exercise.durationSeconds === 0xffff;
    json.exercise_intensity_percent = m.exercise.intensityPercent;
  }
  if (m.medication) {
    json.medication_id = enumName(MEDICATION_IDS, m.medication.id);
    json.medication_id_code = m.medication.id;
    json.medication = mderJson(m.medication.value);
    json.medication_unit = m.medication.unit;
  }
  return json;
}

/** Codec for 0x2A34. */
export const glucoseContext = defineCodec<GlucoseContext>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a34,
  maxBytes: 17,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u8('flags');
    const sequenceNumber = r.u16('sequence_number');
    const extendedFlags = flags & 0x80 ? r.u8('extended_flags') : null;
    const carbohydrate =
      flags & 0x01 ? { id: r.u8('carbohydrate_id'), value: readSfloat(r, 'carbohydrate') } : null;
    const meal = flags & 0x02 ? r.u8('meal') : null;
    let testerHealth: GlucoseContext['testerHealth'] = null;
    if (flags & 0x04) {
      const b = r.u8('tester_health');
      testerHealth = { tester: b & 0x0f, health: b >> 4 };
    }
    const exercise =
      flags & 0x08
        ? { durationSeconds: r.u16('exercise_duration'), intensityPercent: r.u8('exercise_intensity') }
        : null;
    const medication =
      flags & 0x10
        ? {
            id: r.u8('medication_id'),
            value: readSfloat(r, 'medication'),
            unit: flags & 0x20 ? ('L' as const) : ('kg' as const),
          }
        : null;
    const hba1c = flags & 0x40 ? readSfloat(r, 'hba1c') : null;
    r.end();
    return { sequenceNumber, extendedFlags, carbohydrate, meal, testerHealth, exercise, medication, hba1c };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const flags =
      (m.carbohydrate ? 0x01 : 0) |
      (m.meal !== null ? 0x02 : 0) |
      (m.testerHealth ? 0x04 : 0) |
      (m.exercise ? 0x08 : 0) |
      (m.medication ? 0x10 : 0) |
      (m.medication?.unit === 'L' ? 0x20 : 0) |
      (m.hba1c ? 0x40 : 0) |
      (m.extendedFlags !== null ? 0x80 : 0);
    w.u8(flags, 'flags');
    w.u16(m.sequenceNumber, 'sequence_number');
    if (m.extendedFlags !== null) w.u8(m.extendedFlags, 'extended_flags');
    if (m.carbohydrate) {
      w.u8(m.carbohydrate.id, 'carbohydrate_id');
      writeSfloat(w, m.carbohydrate.value, 'carbohydrate');
    }
    if (m.meal !== null) w.u8(m.meal, 'meal');
    if (m.testerHealth) {
      w.u8(packNibbles(w, m.testerHealth.tester, m.testerHealth.health, 'tester_health'), 'tester_health');
    }
    if (m.exercise) {
      w.u16(m.exercise.durationSeconds, 'exercise_duration').u8(
        m.exercise.intensityPercent,
        'exercise_intensity',
      );
    }
    if (m.medication) {
      w.u8(m.medication.id, 'medication_id');
      writeSfloat(w, m.medication.value, 'medication');
    }
    if (m.hba1c) writeSfloat(w, m.hba1c, 'hba1c');
    return w.finish();
  },
  toJson(m) {
    return {
      sequence_number: m.sequenceNumber,
      extended_flags: m.extendedFlags,
      meal: m.meal === null ? null : enumName(MEALS, m.meal),
      tester: m.testerHealth ? enumName(TESTERS, m.testerHealth.tester) : null,
      health: m.testerHealth ? enumName(HEALTH, m.testerHealth.health) : null,
      hba1c_percent: m.hba1c ? mderJson(m.hba1c) : null,
      ...optionalJson(m),
    };
  },
});
