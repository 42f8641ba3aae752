import { defineCodec, type Codec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';

/**
 * The read-only "Feature" characteristics are all one little-endian bit word; one factory keeps
 * their decoders identical and lets each profile add only its bit table and derived fields.
 */
export function featureWordCodec(spec: {
  readonly name: string;
  readonly uuid: number;
  readonly size: 2 | 4;
  readonly view: (raw: number) => JsonObject;
}): Codec<number> {
  const { name, uuid, size, view } = spec;
  return defineCodec<number>({
    name,
    version: '1.0.0',
    uuid,
    maxBytes: size,
    decode(bytes) {
      const r = new ByteReader(bytes, name);
      const raw = size === 2 ? r.u16('features') : r.u32('features');
      r.end();
      return raw;
    },
    encode(raw) {
      const w = new ByteWriter(name);
      if (size === 2) w.u16(raw, 'features');
      else w.u32(raw, 'features');
      return w.finish();
    },
    toJson(raw) {
      return { raw, ...view(raw) };
    },
  });
}
