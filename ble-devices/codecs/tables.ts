import type { JsonObject } from './codec.ts';
import type { ByteWriter } from './cursor.ts';
import { CodecError } from './errors.ts';

/**
 * Protocols as data: enumerations and bit maps are tables indexed by code or bit number, so the
 * JSON view, the encoders and the tests read the same names (undefined = reserved).
 */
export type NameTable = ReadonlyArray<string | undefined>;

/** The name of `code` in `table`, or `reserved` for codes the profile does not define. */
export function enumName(table: NameTable, code: number): string {
  return table[code] ?? 'reserved';
}

/** One boolean per named bit, for feature words whose vectors list every flag by name. */
export function bitFlags(raw: number, names: NameTable): JsonObject {
  const out: JsonObject = {};
  names.forEach((name, bit) => {
    if (name !== undefined) out[name] = (raw & (2 ** bit)) !== 0;
  });
  return out;
}

/** Integer count times a decimal step, computed without binary rounding noise (14000 x 0.005 = 70). */
export function scaled(count: number, numerator: number, denominator: number): number {
  return (count * numerator) / denominator;
}

/** Packs two 4-bit codes into one byte (low nibble first), refusing codes that do not fit. */
export function packNibbles(w: ByteWriter, low: number, high: number, field: string): number {
  for (const v of [low, high]) {
    if (!Number.isInteger(v) || v < 0 || v > 0x0f) {
      throw new CodecError('invalid_value', w.codec, field, w.length, `${v} does not fit a 4-bit field`);
    }
  }
  return (high << 4) | low;
}
