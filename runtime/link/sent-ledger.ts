import { Bitset } from './bitset.ts';
import { blockCount } from './frames.ts';
import { blockLength } from './manifest.ts';

/**
 * Which blocks of each object an endpoint has ever put on a carrier, across sessions, so that
 * what a cut costs is counted exactly: after a cut the next session resumes at the receiver's
 * first missing block, and every block it sends again was lost with the old connection (the
 * benchmark's resent bytes per cut, the kit's status). Objects leave the ledger once the
 * receiver has committed or refused them.
 */
export class SentLedger {
  readonly #sent = new Map<string, Bitset>();
  /** Bytes sent again that had been sent before (on this or an earlier connection). */
  resentBytes = 0;

  /** Records `count` blocks from `first` of object `id` as sent; counts those sent before. */
  sent(id: string, size: number, first: number, count: number): void {
    let bits = this.#sent.get(id);
    if (!bits) {
      bits = new Bitset(blockCount(size));
      this.#sent.set(id, bits);
    }
    for (let i = first; i < first + count && i < bits.size; i++)
      if (bits.has(i)) this.resentBytes += blockLength(size, i);
    bits.setRange(first, Math.min(count, bits.size - first));
  }

  /** The object is done with (committed or refused). */
  forget(id: string): void {
    this.#sent.delete(id);
  }
}
