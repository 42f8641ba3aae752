import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CodecError } from './errors.ts';
import { findCodec, parseHex } from './registry.ts';
import { LOCAL_VECTORS, SHARED_VECTORS, loadVectors, mismatches } from './testing/vectors.ts';

const vectors = loadVectors();
const decodable = vectors.filter((v) => !('error' in v.expected));
const failing = vectors.filter((v) => 'error' in v.expected);

describe('vectors.json', () => {
  it.skipIf(!existsSync(SHARED_VECTORS))('the local copy matches the spec file beside the repository', () => {
    expect(JSON.parse(readFileSync(LOCAL_VECTORS, 'utf8'))).toEqual(
      JSON.parse(readFileSync(SHARED_VECTORS, 'utf8')),
    );
  });

  it('is non-empty and every profile has a codec', () => {
    expect(vectors.length).toBeGreaterThan(50);
    for (const v of vectors) expect(() => findCodec(v.profile), v.id).not.toThrow();
  });

  it.each(decodable.map((v) => [v.id, v] as const))(
    '%s decodes to the expected keys by profile name',
    (_id, v) => {
      const codec = findCodec(v.profile);
      expect(mismatches(v.expected, codec.toJson(codec.decode(parseHex(v.hex))))).toEqual([]);
    },
  );

  it.each(decodable.filter((v) => v.characteristic.startsWith('0x')).map((v) => [v.id, v] as const))(
    '%s decodes the same when looked up by its characteristic UUID',
    (_id, v) => {
      const codec = findCodec(v.characteristic);
      expect(mismatches(v.expected, codec.toJson(codec.decode(parseHex(v.hex))))).toEqual([]);
    },
  );

  it.each(decodable.map((v) => [v.id, v] as const))('%s re-encodes byte for byte', (_id, v) => {
    const codec = findCodec(v.profile);
    const bytes = parseHex(v.hex);
    expect(codec.encode(codec.decode(bytes))).toEqual(bytes);
  });

  it.each(failing.map((v) => [v.id, v] as const))(
    '%s is rejected with the typed error it names',
    (_id, v) => {
      const codec = findCodec(v.profile);
      // The vector names its own error as "<code>: <detail>"; both must be what the codec says.
      const named = v.expected.error as string;
      const sep = named.indexOf(':');
      const code = sep < 0 ? named : named.slice(0, sep);
      const detail = sep < 0 ? '' : named.slice(sep + 1).trim();
      let caught: unknown;
      try {
        codec.decode(parseHex(v.hex));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(CodecError);
      expect((caught as CodecError).code).toBe(code);
      expect((caught as CodecError).message).toContain(detail);
      expect((caught as CodecError).message.startsWith(`${code}: ${v.profile}.`)).toBe(true);
    },
  );
});
