import { describe, expect, it } from 'vitest';
import { contextOf } from '../record-store.ts';
import { tempStores } from '../test-fixtures.ts';
import { keyOf, seqOf } from './ids.ts';
import { PostingBuffer, lookupPostings } from './postings.ts';
import type { BinDb } from './db.ts';

const stores = tempStores({ prefix: 'fieldkit-postings-' });

/** A real store's index, and a way to write one commit's postings into it (its own transaction). */
async function realIndex() {
  const ctx = contextOf(await stores.open());
  const commit = (fill: (postings: PostingBuffer) => void) =>
    ctx.dbs.env.transactionSync(() => {
      const postings = new PostingBuffer();
      fill(postings);
      postings.write(ctx.dbs.index);
    });
  return { index: ctx.dbs.index, commit };
}

const term = (byte: number) => new Uint8Array(16).fill(byte);
const seqsUnder = (index: BinDb, t: Uint8Array) => lookupPostings(index, t).map((k) => seqOf(k));

describe('blind index postings from record counters', () => {
  it('writes counter lists as the same entries as key lists, one per term', async () => {
    const { index, commit } = await realIndex();
    commit((p) => {
      p.addSeqs(term(2), [5, 6, 9]);
      p.addSeqs(term(1), [5, 0x1_0000_0007]);
    });
    expect(seqsUnder(index, term(1))).toEqual([5, 0x1_0000_0007]);
    expect(seqsUnder(index, term(2))).toEqual([5, 6, 9]);
    expect(seqsUnder(index, term(3))).toEqual([]);
  });

  it('merges equal terms held by different objects, and sorts counters given out of order', async () => {
    const { index, commit } = await realIndex();
    commit((p) => {
      p.addSeqs(term(4), [30, 10]);
      p.addSeqs(term(4), [20]);
    });
    expect(seqsUnder(index, term(4))).toEqual([10, 20, 30]);
  });

  it('merges into an entry that already exists under the same entry key instead of overwriting it', async () => {
    const { index, commit } = await realIndex();
    commit((p) => p.addSeqs(term(5), [40, 41]));
    commit((p) => p.addSeqs(term(5), [40, 42]));
    expect(seqsUnder(index, term(5))).toEqual([40, 41, 42]);
  });

  it('keeps both kinds when one commit indexes a term by key and by counter', async () => {
    const shared = term(6);
    const { index, commit } = await realIndex();
    commit((p) => {
      p.add(shared, keyOf(3));
      p.addSeqs(shared, [50, 51]);
      p.addSeqs(term(7), [52]);
    });
    expect(seqsUnder(index, shared)).toEqual([3, 50, 51]);
    expect(seqsUnder(index, term(7))).toEqual([52]);
  });
});
