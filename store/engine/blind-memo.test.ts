import { describe, expect, it } from 'vitest';
import { BlindMemo } from './blind-memo.ts';
import { tempStores } from '../test-fixtures.ts';
import { contextOf } from '../record-store.ts';

const temp = tempStores();

describe('blind memo', () => {
  it('returns the keyring term, the same object for a repeated value, and stays right past its bound', async () => {
    const store = await temp.open();
    const { keyring } = contextOf(store);
    const memo = new BlindMemo(keyring);
    const first = memo.term('obs.visit', 'visit-1');
    expect(Buffer.from(first).equals(Buffer.from(keyring.blind('obs.visit', 'visit-1')))).toBe(true);
    expect(memo.term('obs.patient', 'visit-1')).not.toEqual(first);
    expect(memo.term('obs.visit', 'visit-2')).not.toEqual(first);
    expect(memo.term('obs.visit', 'visit-1')).toBe(first);
    // Past the bound the memo starts over; terms are still the keyring's.
    for (let i = 0; i < 5000; i++) memo.term('obs.hour', `h-${i}`);
    const again = memo.term('obs.visit', 'visit-1');
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(
      Buffer.from(memo.term('obs.hour', 'h-4999')).equals(Buffer.from(keyring.blind('obs.hour', 'h-4999'))),
    ).toBe(true);
  });
});
