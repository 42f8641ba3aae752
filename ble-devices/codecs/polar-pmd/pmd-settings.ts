import type { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import { PMD_SETTING_TYPES, type PmdSettingName } from './pmd-tables.ts';

/** One setting of the TLV: its type and the values offered (settings query) or chosen (start). */
export interface PmdSetting {
  readonly type: PmdSettingName;
  readonly values: readonly number[];
}

/**
 * The settings TLV of the control point (`PmdSetting.kt`): repeated `type, count, value*count`,
 * values little-endian, 1/2-byte fields unsigned, 4-byte fields signed (the SDK reads
 * `FF FF FF FF` of range_milliunit as -1; `factor` is IEEE-754 bits, kept as the raw int32).
 * Kept in wire order so a frame re-encodes byte for byte.
 */
export type PmdSettings = readonly PmdSetting[];

/** Reads settings until the end of the frame. */
export function readPmdSettings(r: ByteReader): PmdSettings {
  const out: PmdSetting[] = [];
  while (r.remaining > 0) {
    const at = r.offset;
    const typeId = r.u8('setting_type');
    const spec = PMD_SETTING_TYPES[typeId];
    if (!spec)
      throw new CodecError('invalid_value', r.codec, 'setting_type', at, `unknown setting type ${typeId}`);
    const count = r.u8(`${spec.name}.count`);
    const values: number[] = [];
    for (let i = 0; i < count; i++) {
      const field = `${spec.name}[${i}]`;
      if (spec.size === 1) values.push(r.u8(field));
      else if (spec.size === 2) values.push(r.u16(field));
      else values.push(r.u32(field) | 0);
    }
    out.push({ type: spec.name, values });
  }
  return out;
}

/** Writes settings in the order given; validates each value against its field size. */
export function writePmdSettings(w: ByteWriter, settings: PmdSettings): void {
  for (const s of settings) {
    const typeId = PMD_SETTING_TYPES.findIndex((t) => t.name === s.type);
    if (typeId < 0)
      throw new CodecError('invalid_value', w.codec, 'setting_type', w.length, `unknown ${s.type}`);
    const size = PMD_SETTING_TYPES[typeId]!.size;
    w.u8(typeId, 'setting_type').u8(s.values.length, `${s.type}.count`);
    s.values.forEach((v, i) => {
      const field = `${s.type}[${i}]`;
      if (size === 1) w.u8(v, field);
      else if (size === 2) w.u16(v, field);
      else {
        if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
          throw new CodecError('invalid_value', w.codec, field, w.length, `${v} is outside int32`);
        }
        w.u32(v >>> 0, field);
      }
    });
  }
}

/** The values offered for one setting type (empty when absent). */
export function settingValues(settings: PmdSettings, type: PmdSettingName): readonly number[] {
  return settings.find((s) => s.type === type)?.values ?? [];
}

/** Settings as JSON: `{ sample_rate: [130], resolution: [14] }`. */
export function settingsJson(settings: PmdSettings): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const s of settings) out[s.type] = [...(out[s.type] ?? []), ...s.values];
  return out;
}
