import type { BinDb } from './db.ts';
import { KEY_BYTES, keyOf, writeKey } from './ids.ts';

/**
 * Blind index postings. One LMDB entry per (term, commit): key = term || first record key,
 * value = the record keys of that commit, concatenated. Gathering a commit's entries per term
 * turns three random-key index puts per record into a handful of puts per commit, which is
 * where the write rate of an encrypted, indexed store is won.
 */
export class PostingBuffer {
  // Keyed by term object: the transaction memoises terms, so a batch sharing a visit shares one
  // array here. Equal terms from different objects are merged (by bytes) at write time.
  #terms = new Map<Uint8Array, Buffer[]>();
  // Lists of record counters (the observation write path makes no key Buffer per reading).
  #seqs = new Map<Uint8Array, number[]>();

  /** Records that `key` is indexed under `term` (written at commit). */
  add(term: Uint8Array, key: Buffer): void {
    let keys = this.#terms.get(term);
    if (!keys) {
      keys = [];
      this.#terms.set(term, keys);
    }
    keys.push(key);
  }

  /** Records that every one of `keys` is indexed under `term` (copied: the caller keeps its array). */
  addAll(term: Uint8Array, keys: readonly Buffer[]): void {
    const known = this.#terms.get(term);
    if (known) for (const key of keys) known.push(key);
    else this.#terms.set(term, keys.slice());
  }

  /**
   * Records that the records of counters `seqs` (increasing, as taken from the key reservation)
   * are indexed under `term`. `seqs` is copied, never kept or changed.
   */
  addSeqs(term: Uint8Array, seqs: readonly number[]): void {
    const known = this.#seqs.get(term);
    if (known) for (const seq of seqs) known.push(seq);
    else this.#seqs.set(term, seqs.slice());
  }

  /** Drops a not-yet-written posting (a record created and re-indexed in the same commit). */
  remove(term: Uint8Array, key: Buffer): void {
    this.#keysFromSeqs();
    for (const [t, keys] of this.#terms)
      if (Buffer.compare(t, term) === 0)
        this.#terms.set(
          t,
          keys.filter((k) => !k.equals(key)),
        );
  }

  /** Writes one posting entry per term, in term order for B-tree locality. */
  write(index: BinDb): void {
    if (this.#terms.size === 0) {
      this.#writeSeqs(index);
      return;
    }
    this.#keysFromSeqs();
    const merged = new Map<string, { term: Uint8Array; keys: Buffer[] }>();
    for (const [term, keys] of this.#terms) {
      const hex = Buffer.from(term.buffer, term.byteOffset, term.byteLength).toString('hex');
      const entry = merged.get(hex);
      if (entry) entry.keys.push(...keys);
      else merged.set(hex, { term, keys });
    }
    const entries = [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [, { term, keys }] of entries) {
      // Keys taken in one commit nearly always arrive in increasing order: check before sorting.
      if (!ascending(keys)) keys.sort((a, b) => Buffer.compare(a, b));
      const first = keys[0];
      if (!first) continue;
      const entryKey = Buffer.concat([term, first]);
      // An entry may already hold this key: a record re-indexed under an unchanged term (a
      // patient update) is removed from its old entry, which keeps its other records under the
      // same entry key when the record was that entry's first. Merge rather than overwrite them.
      const existing = index.getBinaryFast(entryKey);
      index.putSync(
        entryKey,
        existing ? mergeKeys(existing.subarray(0, existing.length), keys) : Buffer.concat(keys),
      );
    }
    this.#terms.clear();
  }

  /**
   * The common commit, only counter lists (a stream of readings): one entry per term, its value
   * the keys written straight from the counters. Entries are put in term order, as in write().
   */
  #writeSeqs(index: BinDb): void {
    const lists = [...this.#seqs].sort(([a], [b]) => Buffer.compare(a, b));
    this.#seqs.clear();
    for (let i = 0; i < lists.length; i++) {
      const [term, seqs] = lists[i] as [Uint8Array, number[]];
      const next = lists[i + 1];
      // Equal terms from different objects (the memo was cleared mid-commit): merged by bytes.
      if (next && Buffer.compare(term, next[0]) === 0) {
        for (const seq of seqs) next[1].push(seq);
        continue;
      }
      if (!ascendingSeqs(seqs)) seqs.sort((a, b) => a - b);
      const first = seqs[0];
      if (first === undefined) continue;
      const entryKey = Buffer.allocUnsafe(term.byteLength + KEY_BYTES);
      entryKey.set(term, 0);
      writeKey(entryKey, term.byteLength, first);
      const value = Buffer.allocUnsafe(seqs.length * KEY_BYTES);
      for (let j = 0; j < seqs.length; j++) writeKey(value, j * KEY_BYTES, seqs[j] as number);
      // As in write(): an entry under this key may exist already; merge rather than overwrite it.
      const existing = index.getBinaryFast(entryKey);
      index.putSync(
        entryKey,
        existing ? mergeKeys(existing.subarray(0, existing.length), keysOf(value)) : value,
      );
    }
  }

  /** Moves the counter lists into the key lists (a commit that also adds or removes by key). */
  #keysFromSeqs(): void {
    for (const [term, seqs] of this.#seqs) this.addAll(term, seqs.map(keyOf));
    this.#seqs.clear();
  }
}

/** Whether counters are strictly increasing. */
function ascendingSeqs(seqs: readonly number[]): boolean {
  for (let i = 1; i < seqs.length; i++) if ((seqs[i] as number) <= (seqs[i - 1] as number)) return false;
  return true;
}

/** The 8-byte keys concatenated in a posting value, as views. */
function keysOf(value: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i + KEY_BYTES <= value.byteLength; i += KEY_BYTES)
    out.push(value.subarray(i, i + KEY_BYTES));
  return out;
}

/**
 * Whether record keys are in strictly increasing order, read as the two big-endian words of an
 * 8-byte key (plain JS reads, not a native compare per pair); false for any other length.
 */
function ascending(keys: readonly Buffer[]): boolean {
  let high = -1;
  let low = -1;
  for (const key of keys) {
    if (key.byteLength !== KEY_BYTES) return false;
    const h = key.readUInt32BE(0);
    const l = key.readUInt32BE(4);
    if (h < high || (h === high && l <= low)) return false;
    high = h;
    low = l;
  }
  return true;
}

/** The sorted union of an entry's keys and new keys. */
function mergeKeys(entry: Uint8Array, keys: Buffer[]): Buffer {
  const all = new Map<string, Buffer>();
  for (let i = 0; i + KEY_BYTES <= entry.byteLength; i += KEY_BYTES) {
    const k = Buffer.from(entry.subarray(i, i + KEY_BYTES));
    all.set(k.toString('hex'), k);
  }
  for (const k of keys) all.set(k.toString('hex'), k);
  return Buffer.concat([...all.values()].sort((a, b) => Buffer.compare(a, b)));
}

function range(term: Uint8Array): { start: Buffer; end: Buffer } {
  return {
    start: Buffer.concat([term, Buffer.alloc(KEY_BYTES, 0)]),
    end: Buffer.concat([term, Buffer.alloc(KEY_BYTES, 0xff), Buffer.from([0xff])]),
  };
}

/** Every record key indexed under a term, in insertion order. */
export function lookupPostings(index: BinDb, term: Uint8Array): Buffer[] {
  const out: Buffer[] = [];
  for (const { value } of index.getRange(range(term))) {
    const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    for (let i = 0; i + KEY_BYTES <= v.byteLength; i += KEY_BYTES) out.push(v.subarray(i, i + KEY_BYTES));
  }
  out.sort((a, b) => Buffer.compare(a, b));
  return out;
}

/** Removes one record key from a term's postings (inside a write transaction). */
export function removePosting(index: BinDb, term: Uint8Array, key: Buffer): void {
  for (const { key: entryKey, value } of index.getRange(range(term))) {
    const v = Buffer.from(value);
    const kept: Buffer[] = [];
    for (let i = 0; i + KEY_BYTES <= v.byteLength; i += KEY_BYTES) {
      const k = v.subarray(i, i + KEY_BYTES);
      if (!k.equals(key)) kept.push(k);
    }
    if (kept.length === v.byteLength / KEY_BYTES) continue;
    if (kept.length === 0) index.removeSync(entryKey);
    else index.putSync(entryKey, Buffer.concat(kept));
  }
}
