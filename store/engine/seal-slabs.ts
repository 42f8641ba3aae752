/** Bytes per slab: a few hundred ~1 KiB envelopes. */
const SLAB_BYTES = 256 * 1024;
/** Released slabs kept for reuse (a commit or two of readings in flight). */
const MAX_FREE = 16;
const free: Buffer[] = [];

/**
 * Envelopes of records waiting for their transaction, carved from shared slabs. Sealing each
 * reading into its own Buffer meant a fresh 8 KiB pool chunk every seven readings, each new to
 * lmdb-js (which looks up and caches every ArrayBuffer's address) and to the garbage collector;
 * a commit's readings now share a few slabs, reused once that commit is over.
 *
 * The owner must {@link SealSlabs.release} only when nothing will read the envelopes again:
 * after the transaction that put them has run (LMDB copies a value during a synchronous put).
 */
export class SealSlabs {
  readonly #slabs: Buffer[] = [];
  #used = SLAB_BYTES;

  /** `size` bytes of slab for one envelope (its own allocation if larger than a slab). */
  take(size: number): Buffer {
    if (size > SLAB_BYTES) return Buffer.allocUnsafeSlow(size);
    if (this.#used + size > SLAB_BYTES) {
      this.#slabs.push(free.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES));
      this.#used = 0;
    }
    const slab = this.#slabs[this.#slabs.length - 1] as Buffer;
    const view = slab.subarray(this.#used, this.#used + size);
    this.#used += size;
    return view;
  }

  /** Hands the slabs back for reuse; this object must not be used afterwards. */
  release(): void {
    for (const slab of this.#slabs.splice(0)) if (free.length < MAX_FREE) free.push(slab);
    this.#used = SLAB_BYTES;
  }
}
