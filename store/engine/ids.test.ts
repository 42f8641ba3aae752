import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idOf, idOfSeq, keyOf, keyOfId, seqOf } from './ids.ts';

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
