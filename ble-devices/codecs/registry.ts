import { bloodPressureMeasurement, intermediateCuffPressure } from './blood-pressure.ts';
import type { Codec } from './codec.ts';
import { CodecError } from './errors.ts';
import { plxContinuous } from './plx-continuous.ts';
import { shortUuid } from '../uuid.ts';

/**
 * Every codec the kit knows, looked up by characteristic UUID (any spelling) or by the profile
 * name of vectors.json. One table, so the CLI, drivers and simulators agree on what a UUID means.
 */
export const CODECS: ReadonlyArray<Codec<unknown>> = [
  plxContinuous,
  bloodPressureMeasurement,
  intermediateCuffPressure,
] as ReadonlyArray<Codec<unknown>>;

/** Finds a codec by `0x2A5F`, `2a5f`, the 128-bit form, or a profile name; throws `unknown_codec`. */
export function findCodec(key: string): Codec<unknown> {
  const uuid = shortUuid(key);
  const found =
    uuid === null
      ? CODECS.find((c) => c.name === key.trim().toLowerCase())
      : CODECS.find((c) => c.uuid === uuid);
  if (!found) {
    throw new CodecError('unknown_codec', 'registry', 'characteristic', 0, `no codec for '${key}'`);
  }
  return found;
}

/** Parses `"00 64 00"`, `"006400"` or `"0x00,0x64"` into bytes; throws `bad_hex` on anything else. */
export function parseHex(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s,:]/g, '');
  if (cleaned.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(cleaned)) {
    throw new CodecError('bad_hex', 'cli', 'hex', 0, `'${text}' is not an even-length hex string`);
  }
  const out = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(cleaned.slice(i * 2, i * 2 + 2), 16);
  return out;
}
