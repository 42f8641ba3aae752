import { defineCodec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { enumName, type NameTable } from './tables.ts';

/** Temperature Type / measurement site codes (DEVICES.md 3.1, mirrors 11073-10408); 0, 10-255 reserved. */
export const TEMPERATURE_TYPES: NameTable = [
  undefined,
  'armpit',
  'body',
  'ear',
  'finger',
  'gastro_intestinal_tract',
  'mouth',
  'rectum',
  'toe',
  'tympanum',
];

/** The site name of a Temperature Type code (`reserved` for undefined codes). */
export function temperatureTypeName(code: number): string {
  return enumName(TEMPERATURE_TYPES, code);
}

/**
 * Codec for Temperature Type (0x2A1D): the fixed site of a single-site thermometer, used when a
 * measurement carries no per-reading type (DEVICES.md 3.1 accepts either source).
 */
export const temperatureType = defineCodec<number>({
  name: 'temperature_type',
  version: '1.0.0',
  uuid: 0x2a1d,
  maxBytes: 1,
  decode(bytes) {
    const r = new ByteReader(bytes, 'temperature_type');
    const code = r.u8('temperature_type');
    r.end();
    return code;
  },
  encode(code) {
    return new ByteWriter('temperature_type').u8(code, 'temperature_type').finish();
  },
  toJson(code) {
    return { temperature_type: temperatureTypeName(code), temperature_type_code: code };
  },
});
