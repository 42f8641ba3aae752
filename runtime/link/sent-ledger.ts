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
  readonly #offered = new Set<string>();
  /** Bytes sent again that had been sent before (on this or an earlier connection). */
  resentBytes = 0;
  /**
   * Bytes of OFFER frames (manifests) sent again for objects offered before: each new session
   * offers again what it resumes or had offered ahead. Framing, not payload, so counted apart.
   */
  reofferedBytes = 0;

  /** Records an OFFER of `bytes` for object `id`; counts it if the object was offered before. */
  offered(id: string, bytes: number): void {
    if (this.#offered.has(id)) this.reofferedBytes += bytes;
    else this.#offered.add(id);
  }

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
    this.#offered.delete(id);
  }
}
