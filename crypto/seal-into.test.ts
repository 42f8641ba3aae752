import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadBackend } from './backend.ts';
import { sealedLength } from './backend-contract.ts';

describe.each(['sodium-native', 'libsodium-wasm'] as const)('seal into a slab (%s)', (name) => {
  it('writes the same envelope shape into the given bytes, which opens, and leaves neighbours alone', async () => {
    const backend = await loadBackend(name);
    const key = backend.randomBytes(32);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2048 }),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 8 }),
        fc.nat(64),
        (plain, aad, prefix, offset) => {
          const size = sealedLength(plain.byteLength, prefix.byteLength);
          const slab = new Uint8Array(offset + size + 16).fill(0xa5);
          const into = slab.subarray(offset, offset + size);
          const out = backend.seal(plain, aad, key, prefix, into);
          expect(out.buffer).toBe(slab.buffer);
          expect(out.byteOffset).toBe(offset);
          expect(out.byteLength).toBe(size);
          expect(slab.subarray(0, offset).every((b) => b === 0xa5)).toBe(true);
          expect(slab.subarray(offset + size).every((b) => b === 0xa5)).toBe(true);
          expect(Buffer.from(out.subarray(0, prefix.byteLength)).equals(Buffer.from(prefix))).toBe(true);
          const opened = backend.open(out.subarray(prefix.byteLength), aad, key);
          expect(opened && Buffer.from(opened).equals(Buffer.from(plain))).toBe(true);
          // The same length as the allocating form.
          expect(backend.seal(plain, aad, key, prefix).byteLength).toBe(size);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a target of the wrong length instead of writing past it', async () => {
    const backend = await loadBackend(name);
    const key = backend.randomBytes(32);
    const plain = new Uint8Array(100);
    const size = sealedLength(100, 7);
    expect(() =>
      backend.seal(plain, new Uint8Array(1), key, new Uint8Array(7), new Uint8Array(size - 1)),
    ).toThrow(RangeError);
    expect(() =>
      backend.seal(plain, new Uint8Array(1), key, new Uint8Array(7), new Uint8Array(size + 1)),
    ).toThrow(RangeError);
  });
});
