/** Ids reserved per top-up: a few top-ups a second at full ingest, a negligible gap per restart. */
export const RESERVE_BLOCK = 8192;

/** A range of record counters [first, last] that a committed transaction set aside for us. */
interface Block {
  next: number;
  last: number;
}

/**
 * Record ids handed out BEFORE the write transaction, so a reading can be encoded and sealed
 * (the AAD binds its id) while the previous commit is still being flushed to disk.
 *
 * Safety rests on three rules:
 * - A block is usable only after the transaction that raised the store's counter past it is
 *   durable ({@link KeyReservation.adopt} is called after the flush). Another process reading
 *   the counter, or this one after a crash, can never be given the same ids.
 * - Ids only ever grow: a block that cannot satisfy a request is abandoned, never returned to.
 *   A caller that takes ids and enqueues its write in the same synchronous step therefore commits
 *   its ids in increasing order, which keeps LMDB appending at the end of the table.
 * - Unused ids are simply skipped (a gap after a restart); ids are opaque, never dense.
 */
export class KeyReservation {
  #blocks: Block[] = [];
  #wanted = 0;
  #refill: Promise<void> | undefined;

  /**
   * `count` consecutive counters, or undefined when no adopted block holds that many (the caller
   * then waits for {@link KeyReservation.refill}).
   */
  take(count: number): number | undefined {
    for (;;) {
      const block = this.#blocks[0];
      if (!block) break;
      if (block.last - block.next + 1 >= count) {
        const first = block.next;
        block.next += count;
        if (this.remaining < RESERVE_BLOCK / 2) this.#want(count);
        return first;
      }
      // Not enough left here: abandon the rest rather than ever handing out a lower id later.
      this.#blocks.shift();
    }
    this.#want(count);
    return undefined;
  }

  /** Counters still available without a new reservation. */
  get remaining(): number {
    return this.#blocks.reduce((sum, b) => sum + (b.last - b.next + 1), 0);
  }

  /**
   * How many counters the next write transaction should reserve (0: none). Reading it clears the
   * request; if that transaction fails to commit, the next {@link KeyReservation.take} that finds
   * too few counters asks again.
   */
  claimRequest(): number {
    const n = this.#wanted;
    this.#wanted = 0;
    return n;
  }

  /** Makes [first, last] usable; called once the reserving transaction is durable. */
  adopt(first: number, last: number): void {
    const tail = this.#blocks[this.#blocks.length - 1];
    // A block from an older transaction than one already adopted would break the ordering rule.
    if (tail && first <= tail.last) return;
    this.#blocks.push({ next: first, last });
  }

  /**
   * Waits until a block of at least `count` counters is adopted, by running `reserve` (which
   * enqueues a transaction that claims the request) unless one is already under way.
   */
  async refill(count: number, reserve: () => Promise<void>): Promise<void> {
    while (this.remaining < count) {
      this.#want(count);
      this.#refill ??= reserve().finally(() => (this.#refill = undefined));
      await this.#refill;
    }
  }

  /** Forgets every block (the store is closing; the next open reserves afresh). */
  clear(): void {
    this.#blocks = [];
    this.#wanted = 0;
  }

  #want(count: number): void {
    this.#wanted = Math.max(this.#wanted, count, RESERVE_BLOCK);
  }
}
