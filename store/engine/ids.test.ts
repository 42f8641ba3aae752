import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idOf, idOfSeq, keyOf, keyOfId, seqOf, writeKey } from './ids.ts';

describe('record ids', () => {
  it('computes the same id from the counter as from the key, across the 32-bit boundary', () => {
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), (seq) => {
        const key = keyOf(seq);
        expect(idOfSeq('o', seq)).toBe(idOf('o', key));
        expect(seqOf(keyOfId('o', idOfSeq('o', seq), 'observations'))).toBe(seq);
      }),
    );
    expect(idOfSeq('o', 0x1_0000_0000)).toBe('o-0000000100000000');
  });
});

describe('writeKey', () => {
  it('writes exactly the bytes of keyOf, at any offset, across the 32-bit boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.nat(16), (seq, at) => {
        const into = new Uint8Array(at + 8 + 3).fill(0xaa);
        writeKey(into, at, seq);
        expect(Buffer.from(into.subarray(at, at + 8)).equals(keyOf(seq))).toBe(true);
        expect(into.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
        expect(into.subarray(at + 8).every((b) => b === 0xaa)).toBe(true);
      }),
    );
  });
});

describe('idOfSeq', () => {
  it('stays right when consecutive calls change table letter or high word', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('o', 'p', 'va'), fc.integer({ min: 0, max: 2 ** 40 })), {
          minLength: 2,
        }),
        (calls) => {
          for (const [prefix, seq] of calls) expect(idOfSeq(prefix, seq)).toBe(idOf(prefix, keyOf(seq)));
        },
      ),
    );
  });
});
