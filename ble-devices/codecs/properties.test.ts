import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Codec, JsonObject } from './codec.ts';
import { CodecError } from './errors.ts';
import { CODECS } from './registry.ts';
import { arbitraryFor } from './testing/measurement-arbitraries.ts';

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; message: string };

function attempt(codec: Codec<unknown>, bytes: Uint8Array): Outcome {
  try {
    return { ok: true, value: codec.decode(bytes) };
  } catch (err) {
    // Anything but the typed error fails the property right here.
    if (!(err instanceof CodecError)) throw err;
    return { ok: false, code: err.code, message: err.message };
  }
}

const cases = CODECS.map((c) => [c.name, c] as const);

describe('every registered codec', () => {
  it('has a value generator', () => {
    expect(CODECS.filter((c) => arbitraryFor(c) === undefined).map((c) => c.name)).toEqual([]);
  });

  it.each(cases)('%s: decode(encode(x)) equals x', (_name, codec) => {
    fc.assert(
      fc.property(arbitraryFor(codec)!, (x) => {
        const bytes = codec.encode(x);
        expect(bytes.byteLength).toBeLessThanOrEqual(codec.maxBytes);
        expect(codec.decode(bytes)).toEqual(x);
        expect(() => JSON.stringify(codec.toJson(x))).not.toThrow();
      }),
    );
  });

  it.each(cases)('%s: random bytes decode or fail with CodecError, nothing else', (_name, codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: Math.min(codec.maxBytes + 4, 64) }), (bytes) => {
        const out = attempt(codec, bytes);
        if (out.ok) {
          // Whatever decodes re-encodes to something that decodes to the same value.
          expect(codec.decode(codec.encode(out.value))).toEqual(out.value);
          expect(() => JSON.stringify(codec.toJson(out.value))).not.toThrow();
        } else {
          expect(out.message).not.toContain('\n');
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each(cases)('%s: never reads outside the view it is given', (_name, codec) => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 8 }),
        fc.uint8Array({ maxLength: Math.min(codec.maxBytes + 2, 64) }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        (before, frame, after) => {
          const big = Uint8Array.from([...before, ...frame, ...after]);
          const view = big.subarray(before.length, before.length + frame.length);
          expect(attempt(codec, view)).toEqual(attempt(codec, frame.slice()));
        },
      ),
      { numRuns: 200 },
    );
  });

  const withJson = CODECS.filter((c) => c.fromJson !== undefined).map((c) => [c.name, c] as const);
  it.each(withJson)('%s: fromJson(toJson(x)) equals x, through JSON text', (_name, codec) => {
    fc.assert(
      fc.property(arbitraryFor(codec)!, (x) => {
        const json = JSON.parse(JSON.stringify(codec.toJson(x))) as JsonObject;
        expect(codec.fromJson!(json)).toEqual(x);
      }),
    );
  });

  it.each(withJson)('%s: bytes that decode come back byte for byte through their JSON', (_name, codec) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: codec.maxBytes }), (bytes) => {
        const out = attempt(codec, bytes);
        if (!out.ok) return;
        const json = JSON.parse(JSON.stringify(codec.toJson(out.value))) as JsonObject;
        expect(codec.encode(codec.fromJson!(json))).toEqual(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
