import type { Keyring } from '../../crypto/keyring.ts';

/** Terms kept before the memo starts over (a day of house calls is a few hundred distinct values). */
const MAX_TERMS = 4096;

/**
 * Blind index terms remembered across transactions. A stream of readings shares its visit,
 * patient and hour, so nearly every term is a keyed BLAKE2b already computed for an earlier
 * reading; recomputing it (and building the `tag + value` string to look it up) cost more than
 * the LMDB puts. The same term object is returned for the same value, which also lets a commit
 * gather postings by identity. Bounded, and cleared when the store locks.
 */
export class BlindMemo {
  readonly #keyring: Keyring;
  readonly #byTag = new Map<string, Map<string, Uint8Array>>();
  #size = 0;
  readonly #last = new Map<string, { value: string; term: Uint8Array }>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The blind term of `value` under the domain `tag`. */
  term(tag: string, value: string): Uint8Array {
    // Consecutive readings nearly always repeat the previous value of each tag.
    const last = this.#last.get(tag);
    if (last && last.value === value) return last.term;
    const known = this.#byTag.get(tag)?.get(value);
    if (known) {
      this.#last.set(tag, { value, term: known });
      return known;
    }
    const term = this.#keyring.blind(tag, value);
    if (this.#size >= MAX_TERMS) this.clear();
    let terms = this.#byTag.get(tag);
    if (!terms) {
      terms = new Map();
      this.#byTag.set(tag, terms);
    }
    terms.set(value, term);
    this.#size += 1;
    this.#last.set(tag, { value, term });
    return term;
  }

  /** Forgets every term (the index key is about to be erased, or the memo is full). */
  clear(): void {
    this.#byTag.clear();
    this.#last.clear();
    this.#size = 0;
  }
}
