import { CodecError } from './errors.ts';

/** JSON values as `fieldkit decode` prints them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A JSON object: the decoded view of one frame. */
export type JsonObject = { [key: string]: Json };

/**
 * One instrument data format, both directions. Decoders feed the kit, encoders feed the
 * simulators, and `toJson` is the stable view compared against `vectors.json`.
 */
export interface Codec<T> {
  /** The `profile` name used in vectors.json, e.g. `plx_continuous_measurement`. */
  readonly name: string;
  /** Bumped whenever decoding of the same bytes could change; stored with every reading. */
  readonly version: string;
  /** The 16-bit characteristic UUID, or null for non-GATT formats. */
  readonly uuid: number | null;
  /** Frames longer than this are refused before parsing. */
  readonly maxBytes: number;
  decode(bytes: Uint8Array): T;
  encode(value: T): Uint8Array;
  toJson(value: T): JsonObject;
  /**
   * The inverse of `toJson`, where a codec offers it (RACP: a request built as JSON, or a decoded
   * value edited and sent back); a malformed view is a typed `invalid_value`.
   */
  fromJson?(json: JsonObject): T;
}

/** Wraps a codec so every decode enforces the size limit first (the boundary rule for untrusted bytes). */
export function defineCodec<T>(codec: Codec<T>): Codec<T> {
  const decode = codec.decode.bind(codec);
  return {
    ...codec,
    decode(bytes: Uint8Array): T {
      if (bytes.byteLength > codec.maxBytes) {
        throw new CodecError(
          'too_long',
          codec.name,
          'frame',
          0,
          `${bytes.byteLength} bytes, limit ${codec.maxBytes}`,
        );
      }
      return decode(bytes);
    },
  };
}

/** Names of the bits set in `raw`, from a table indexed by bit number (undefined = reserved). */
export function bitNames(raw: number, names: ReadonlyArray<string | undefined>): string[] {
  const out: string[] = [];
  names.forEach((name, bit) => {
    if (name !== undefined && (raw & (2 ** bit)) !== 0) out.push(name);
  });
  return out;
}
