import { defineCodec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import {
  mderValue,
  readFloat,
  readSfloat,
  writeFloat,
  writeSfloat,
  type MderFloat,
} from './ieee11073-float.ts';

/** The JSON view of a bare number: `{special}` or `{value, mantissa, exponent}` (vectors SF-*, FL-*). */
export function mderDetailJson(f: MderFloat): JsonObject {
  if (f.kind === 'special') return { special: f.special };
  return { value: mderValue(f)!, mantissa: f.mantissa, exponent: f.exponent };
}

/**
 * A lone SFLOAT as a codec, so `fieldkit decode sfloat FF07` can answer "what does this word
 * mean" when a field in a capture looks wrong.
 */
export const sfloat = defineCodec<MderFloat>({
  name: 'sfloat',
  version: '1.0.0',
  uuid: null,
  maxBytes: 2,
  decode(bytes) {
    const r = new ByteReader(bytes, 'sfloat');
    const f = readSfloat(r, 'value');
    r.end();
    return f;
  },
  encode(f) {
    const w = new ByteWriter('sfloat');
    writeSfloat(w, f, 'value');
    return w.finish();
  },
  toJson: mderDetailJson,
});

/** A lone 32-bit FLOAT as a codec (see {@link sfloat}). */
export const float = defineCodec<MderFloat>({
  name: 'float',
  version: '1.0.0',
  uuid: null,
  maxBytes: 4,
  decode(bytes) {
    const r = new ByteReader(bytes, 'float');
    const f = readFloat(r, 'value');
    r.end();
    return f;
  },
  encode(f) {
    const w = new ByteWriter('float');
    writeFloat(w, f, 'value');
    return w.finish();
  },
  toJson: mderDetailJson,
});
