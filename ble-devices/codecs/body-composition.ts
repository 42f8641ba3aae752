import { defineCodec, type Json, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { scaled } from './tables.ts';
import { heightValue, weightValue } from './weight.ts';

/** The optional uint16 fields in wire order, with their flag bit and how a count scales. */
const FIELDS = [
  { key: 'basalMetabolism', bit: 3, json: 'basal_metabolism_kj', scale: 'unit' },
  { key: 'musclePercent', bit: 4, json: 'muscle_percent', scale: 'tenth' },
  { key: 'muscleMass', bit: 5, json: 'muscle_mass', scale: 'mass' },
  { key: 'fatFreeMass', bit: 6, json: 'fat_free_mass', scale: 'mass' },
  { key: 'softLeanMass', bit: 7, json: 'soft_lean_mass', scale: 'mass' },
  { key: 'bodyWaterMass', bit: 8, json: 'body_water_mass', scale: 'mass' },
  { key: 'impedance', bit: 9, json: 'impedance_ohm', scale: 'tenth' },
  { key: 'weight', bit: 10, json: 'weight', scale: 'mass' },
  { key: 'height', bit: 11, json: 'height', scale: 'height' },
] as const;

/** Name of one optional body-composition field. */
export type BodyCompositionField = (typeof FIELDS)[number]['key'];

/**
 * Body Composition Measurement (0x2A9C, DEVICES.md 6.3). Counts stay raw; 0xFFFF in a percent or
 * mass field means unsuccessful/absent. `multiplePacket` marks a record split over indications,
 * each half decodable on its own.
 */
export interface BodyCompositionMeasurement {
  readonly imperial: boolean;
  readonly bodyFatRaw: number;
  readonly timestamp: DateTime | null;
  readonly userId: number | null;
  readonly fields: Readonly<Partial<Record<BodyCompositionField, number>>>;
  readonly multiplePacket: boolean;
}

/** The count that means "measurement unsuccessful" / absent. */
export const BODY_COMPOSITION_UNSUCCESSFUL = 0xffff;
const NAME = 'body_composition_measurement';

function fieldValue(scale: (typeof FIELDS)[number]['scale'], raw: number, imperial: boolean): Json {
  if (raw === BODY_COMPOSITION_UNSUCCESSFUL) return 'MEASUREMENT_UNSUCCESSFUL';
  if (scale === 'unit') return raw;
  if (scale === 'tenth') return scaled(raw, 1, 10);
  return scale === 'mass' ? weightValue(raw, imperial) : heightValue(raw, imperial);
}

/** Codec for 0x2A9C (4-30 bytes; more than 20 needs a larger MTU or the multiple-packet split). */
export const bodyCompositionMeasurement = defineCodec<BodyCompositionMeasurement>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a9c,
  maxBytes: 30,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u16('flags');
    const bodyFatRaw = r.u16('body_fat_percent');
    const timestamp = flags & 0x02 ? readDateTime(r, 'timestamp') : null;
    const userId = flags & 0x04 ? r.u8('user_id') : null;
    const fields: Partial<Record<BodyCompositionField, number>> = {};
    for (const f of FIELDS) if (flags & (1 << f.bit)) fields[f.key] = r.u16(f.json);
    r.end();
    const imperial = (flags & 0x01) !== 0;
    return { imperial, bodyFatRaw, timestamp, userId, fields, multiplePacket: (flags & 0x1000) !== 0 };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    let flags = (m.imperial ? 0x01 : 0) | (m.timestamp ? 0x02 : 0) | (m.userId !== null ? 0x04 : 0);
    for (const f of FIELDS) if (m.fields[f.key] !== undefined) flags |= 1 << f.bit;
    if (m.multiplePacket) flags |= 0x1000;
    w.u16(flags, 'flags').u16(m.bodyFatRaw, 'body_fat_percent');
    if (m.timestamp) writeDateTime(w, m.timestamp, 'timestamp');
    if (m.userId !== null) w.u8(m.userId, 'user_id');
    for (const f of FIELDS) {
      const v = m.fields[f.key];
      if (v !== undefined) w.u16(v, f.json);
    }
    return w.finish();
  },
  toJson(m) {
    const json: JsonObject = {
      unit: m.imperial ? '[lb_av]' : 'kg',
      body_fat_percent: fieldValue('tenth', m.bodyFatRaw, m.imperial),
      timestamp: m.timestamp ? { ...m.timestamp } : null,
      user_id: m.userId,
      multiple_packet: m.multiplePacket,
    };
    for (const f of FIELDS) {
      const v = m.fields[f.key];
      json[f.json] = v === undefined ? null : fieldValue(f.scale, v, m.imperial);
    }
    json.height_unit = m.fields.height === undefined ? null : m.imperial ? '[in_i]' : 'm';
    return json;
  },
});
