import { Bitset } from '../../../../runtime/link/bitset.ts';
import { BLOCK_BYTES, MAX_OBJECT_BYTES, blockCount } from '../../../../runtime/link/frames.ts';
import type { Partials } from './partial-store.ts';

interface Held {
  readonly size: number;
  readonly hashes: Uint8Array;
  readonly have: Bitset;
  readonly blocks: Map<number, Uint8Array>;
  bytes: number;
}

const same = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/** Bytes of blocks kept at most: the largest object the link carries, and as much again. */
const LIMIT_BYTES = 2 * MAX_OBJECT_BYTES;

/**
 * Partial objects in the page's memory: what the console falls back to when its IndexedDB store
 * cannot be opened (a blocked upgrade, storage refused), so that it still reaches the hub and
 * resumes within the page's life, as before the store existed; a reload then starts over.
 * Bounded as the store is: the partial touched longest ago is dropped first.
 */
export class MemoryPartials implements Partials {
  /** In the order they were last touched (a Map keeps insertion order). */
  readonly #held = new Map<string, Held>();

  begin(id: string, size: number, hashes: Uint8Array): Promise<Bitset> {
    return Promise.resolve(this.#touch(id, size, hashes).have);
  }

  put(
    id: string,
    size: number,
    hashes: Uint8Array,
    first: number,
    count: number,
    data: Uint8Array,
  ): Promise<Bitset> {
    const held = this.#touch(id, size, hashes);
    let total = 0;
    for (const h of this.#held.values()) total += h.bytes;
    for (let i = 0; i < count; i++) {
      if (held.have.has(first + i)) continue;
      const block = data.slice(i * BLOCK_BYTES, (i + 1) * BLOCK_BYTES);
      held.blocks.set(first + i, block);
      held.have.set(first + i);
      held.bytes += block.byteLength;
      total += block.byteLength;
    }
    for (const [other, h] of this.#held) {
      if (total <= LIMIT_BYTES) break;
      if (other === id) continue;
      this.#held.delete(other);
      total -= h.bytes;
    }
    return Promise.resolve(held.have);
  }

  #touch(id: string, size: number, hashes: Uint8Array): Held {
    const old = this.#held.get(id);
    this.#held.delete(id);
    const held =
      old && old.size === size && same(old.hashes, hashes)
        ? old
        : {
            size,
            hashes,
            have: new Bitset(blockCount(size)),
            blocks: new Map<number, Uint8Array>(),
            bytes: 0,
          };
    this.#held.set(id, held);
    return held;
  }

  read(id: string): Promise<Uint8Array | undefined> {
    const held = this.#held.get(id);
    if (!held?.have.full) return Promise.resolve(undefined);
    const out = new Uint8Array(held.size);
    for (const [i, block] of held.blocks) out.set(block, i * BLOCK_BYTES);
    return Promise.resolve(out);
  }

  drop(id: string): Promise<void> {
    this.#held.delete(id);
    return Promise.resolve();
  }
}
