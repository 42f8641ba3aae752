import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCbor, encodeCbor } from './cbor.ts';
import { StoreError } from './errors.ts';

describe('CBOR boundary', () => {
  it('only ever throws StoreError(corrupt_record) on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), (bytes) => {
        try {
          decodeCbor(bytes, { table: 'fuzz' });
        } catch (error) {
          expect(error).toBeInstanceOf(StoreError);
          expect((error as StoreError).code).toBe('corrupt_record');
        }
      }),
      { numRuns: 5000 },
    );
  });

  it('only ever throws StoreError on truncations and bit flips of a real record', () => {
    const record = encodeCbor({
      a: 'пациент',
      b: [1, 2.5, null],
      c: new Uint8Array([1, 2, 3]),
      d: { e: true },
    });
    fc.assert(
      fc.property(fc.nat(record.byteLength), fc.nat(record.byteLength * 8), (cut, bit) => {
        const flipped = Uint8Array.from(record);
        const at = Math.floor(bit / 8) % flipped.byteLength;
        flipped[at] = (flipped[at] ?? 0) ^ (1 << (bit % 8));
        for (const bytes of [record.subarray(0, cut), flipped]) {
          try {
            decodeCbor(bytes);
          } catch (error) {
            expect((error as StoreError).code).toBe('corrupt_record');
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects trailing bytes after one item', () => {
    const two = Uint8Array.from([...encodeCbor(1), ...encodeCbor(2)]);
    expect(() => decodeCbor(two)).toThrow(StoreError);
  });
});
