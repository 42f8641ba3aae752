import { Bitset } from '../../../../runtime/link/bitset.ts';
import { BLOCK_BYTES, HASH_BYTES, MAX_OBJECT_BYTES, blockCount } from '../../../../runtime/link/frames.ts';

/**
 * The blocks of objects the hub was sending to this console when the link cut (or the page was
 * reloaded), kept in their own IndexedDB database so that the next session's HAVE names them and
 * the hub sends only the rest: at 256 kbit/s a case of several hundred KiB is otherwise sent again
 * from byte 0 after every cut, and on a link that cuts every minute it may never arrive. The kit's
 * inbox keeps its partial objects the same way (runtime/link/link-inbox.ts).
 *
 * Only blocks already checked against their manifest are put here. The store is bounded: at most
 * {@link PARTIALS_LIMIT_BYTES} of blocks, the partial touched longest ago dropped first; a partial
 * no offer has named for {@link PARTIALS_MAX_AGE_MS} is dropped (the hub offers every pending
 * object on each connection, so that one is no longer pending: withdrawn or expired); one is
 * dropped when its object is whole.
 */
const NAME = 'fieldkit-console-partials';
const VERSION = 1;
const META = 'partials';
const BLOCKS = 'blocks';

/** Bytes of blocks kept at most: room for the largest object the link carries, and a few cases. */
export const PARTIALS_LIMIT_BYTES = 64 * 1024 * 1024;
/** A partial no offer named for this long is dropped. */
export const PARTIALS_MAX_AGE_MS = 7 * 24 * 3600_000;

/** One partial object as stored (the blocks are records of their own). */
interface Meta {
  readonly id: string;
  readonly size: number;
  readonly hashes: Uint8Array;
  readonly bits: Uint8Array;
  /** Bytes of blocks held. */
  readonly held: number;
  /** When an offer or a chunk last named it (ms). */
  readonly touched: number;
}

/** What a caller sees of a partial object. */
export interface PartialInfo {
  readonly id: string;
  readonly size: number;
  readonly heldBytes: number;
  readonly touched: number;
}

/** Options of {@link PartialStore.open}; the defaults are the console's. */
export interface PartialStoreOptions {
  readonly factory?: IDBFactory;
  readonly limitBytes?: number;
  readonly maxAgeMs?: number;
  readonly now?: () => number;
  /** How long the open may take (another tab blocking it, a busy browser) before it fails. */
  readonly openTimeoutMs?: number;
}

/** What the link's receiver needs of a partial-object store (see {@link PartialStore}). */
export interface Partials {
  /** An OFFER: the blocks already held (a fresh set if none, or if the manifest changed). */
  begin(id: string, size: number, hashes: Uint8Array): Promise<Bitset>;
  /** Keeps verified blocks; the blocks now held (fewer than before if the limit dropped some). */
  put(
    id: string,
    size: number,
    hashes: Uint8Array,
    first: number,
    count: number,
    data: Uint8Array,
  ): Promise<Bitset>;
  /** The whole object if every block is held. */
  read(id: string): Promise<Uint8Array | undefined>;
  /** Forgets a partial. */
  drop(id: string): Promise<void>;
}

/** A store opened in no time: the console's is refused rather than waited for without end. */
const OPEN_TIMEOUT_MS = 10_000;

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

/** A stored record read back: schema-checked, since another build may have written it. */
function asMeta(value: unknown): Meta | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  const { id, size, hashes, bits, held, touched } = m;
  if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) return undefined;
  if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0 || size > MAX_OBJECT_BYTES)
    return undefined;
  const n = blockCount(size);
  if (!(hashes instanceof Uint8Array) || hashes.byteLength !== n * HASH_BYTES) return undefined;
  if (!(bits instanceof Uint8Array) || bits.byteLength !== Math.ceil(n / 8)) return undefined;
  if (typeof held !== 'number' || typeof touched !== 'number') return undefined;
  return { id, size, hashes, bits, held, touched };
}

const blockRange = (id: string, n: number) => IDBKeyRange.bound([id, 0], [id, Math.max(0, n - 1)]);

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/** Bytes held by the blocks set in `have`. */
function heldBytes(size: number, have: Bitset): number {
  let bytes = have.count * BLOCK_BYTES;
  const last = have.size - 1;
  if (have.has(last)) bytes -= last * BLOCK_BYTES + BLOCK_BYTES - size;
  return bytes;
}

/** The console's partial objects in IndexedDB (see the module comment). */
export class PartialStore implements Partials {
  readonly #limit: number;
  readonly #maxAge: number;
  readonly #now: () => number;

  private constructor(
    readonly db: IDBDatabase,
    options: PartialStoreOptions,
  ) {
    this.#limit = Math.max(options.limitBytes ?? PARTIALS_LIMIT_BYTES, BLOCK_BYTES);
    this.#maxAge = options.maxAgeMs ?? PARTIALS_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  /** True once the connection was closed (by us, another tab's upgrade, or the browser). */
  lost = false;

  /**
   * Opens (creating on first use) the database, dropping partials past their age; fails after
   * `openTimeoutMs` rather than waiting for good (the console then resumes from memory only).
   */
  static async open(options: PartialStoreOptions = {}): Promise<PartialStore> {
    const request = (options.factory ?? indexedDB).open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
      if (!db.objectStoreNames.contains(BLOCKS)) db.createObjectStore(BLOCKS);
    };
    let gaveUp = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        gaveUp = true;
        reject(new Error('the partial-object database did not open in time'));
      }, options.openTimeoutMs ?? OPEN_TIMEOUT_MS);
    });
    const opened = done(request);
    // Opened after we gave up: closed at once, so it blocks no later upgrade.
    opened.then((late) => gaveUp && late.close()).catch(() => undefined);
    const db = await Promise.race([opened, timeout]).finally(() => clearTimeout(timer));
    const store = new PartialStore(db, options);
    // Another tab's newer console upgrades it: this one lets go and opens again when it next needs it.
    db.onversionchange = () => store.close();
    db.onclose = () => (store.lost = true);
    await store.#write(async (meta, blocks) => {
      await store.#expire(meta, blocks);
    });
    return store;
  }

  /** Closes the database. */
  close(): void {
    this.lost = true;
    this.db.close();
  }

  /**
   * An OFFER: the blocks already held of this object, and marks it touched. A partial with
   * another size or manifest under the same id is replaced (its blocks were checked against a
   * manifest this offer does not carry).
   */
  async begin(id: string, size: number, hashes: Uint8Array): Promise<Bitset> {
    const n = blockCount(size);
    return this.#write(async (meta, blocks) => {
      await this.#expire(meta, blocks);
      const old = asMeta(await done(meta.get(id)));
      if (old && old.size === size && sameBytes(old.hashes, hashes)) {
        meta.put({ ...old, touched: this.#now() }, id);
        return new Bitset(n, old.bits);
      }
      if (old) blocks.delete(blockRange(id, blockCount(old.size)));
      const fresh = new Bitset(n);
      meta.put({ id, size, hashes: hashes.slice(), bits: fresh.bits, held: 0, touched: this.#now() }, id);
      return fresh;
    });
  }

  /**
   * Keeps `count` blocks from `first` (already checked against the manifest) and returns the
   * blocks now held. Partials touched longest ago are dropped first to stay within the limit.
   * Written with relaxed durability: blocks and their bitset commit together, so a power cut
   * can lose only some of them, and the next HAVE then names fewer blocks; the whole object is
   * committed durably by its owner before STORED.
   */
  async put(
    id: string,
    size: number,
    hashes: Uint8Array,
    first: number,
    count: number,
    data: Uint8Array,
  ): Promise<Bitset> {
    const n = blockCount(size);
    return this.#write(async (meta, blocks) => {
      const all = ((await done(meta.getAll())) as unknown[]).map(asMeta);
      const stored = all.find((m) => m?.id === id);
      const mine = stored && stored.size === size && sameBytes(stored.hashes, hashes) ? stored : undefined;
      // Blocks of another manifest under this id were checked against that one: not ours.
      if (stored && !mine) blocks.delete(blockRange(id, blockCount(stored.size)));
      const have = new Bitset(n, mine?.bits);
      let total = mine?.held ?? 0;
      for (const m of all) if (m && m.id !== id) total += m.held;
      for (let i = 0; i < count; i++) {
        const index = first + i;
        if (have.has(index)) continue;
        // A copy: a view would store its whole underlying buffer.
        const block = data.slice(i * BLOCK_BYTES, Math.min(data.byteLength, (i + 1) * BLOCK_BYTES));
        blocks.put(block, [id, index]);
        total += block.byteLength;
        have.set(index);
      }
      const others = all.filter((m): m is Meta => !!m && m.id !== id).sort((a, b) => a.touched - b.touched);
      for (const m of others) {
        if (total <= this.#limit) break;
        meta.delete(m.id);
        blocks.delete(blockRange(m.id, blockCount(m.size)));
        total -= m.held;
      }
      const record: Meta = {
        id,
        size,
        hashes: mine ? mine.hashes : hashes.slice(),
        bits: have.bits,
        held: heldBytes(size, have),
        touched: this.#now(),
      };
      meta.put(record, id);
      return have;
    }, 'relaxed');
  }

  /** The whole object if every block is held, else undefined. */
  async read(id: string): Promise<Uint8Array | undefined> {
    const tx = this.db.transaction([META, BLOCKS], 'readonly');
    const m = asMeta(await done(tx.objectStore(META).get(id)));
    if (!m) return undefined;
    const n = blockCount(m.size);
    if (new Bitset(n, m.bits).count !== n) return undefined;
    const parts = (await done(tx.objectStore(BLOCKS).getAll(blockRange(id, n)))) as unknown[];
    if (parts.length !== n) return undefined;
    const out = new Uint8Array(m.size);
    for (let i = 0; i < n; i++) {
      const part = parts[i];
      const want = Math.min(BLOCK_BYTES, m.size - i * BLOCK_BYTES);
      if (!(part instanceof Uint8Array) || part.byteLength !== want) return undefined;
      out.set(part, i * BLOCK_BYTES);
    }
    return out;
  }

  /** Drops a partial (its object is whole, or refused). */
  async drop(id: string): Promise<void> {
    await this.#write(async (meta, blocks) => {
      const m = asMeta(await done(meta.get(id)));
      meta.delete(id);
      blocks.delete(blockRange(id, m ? blockCount(m.size) : blockCount(MAX_OBJECT_BYTES)));
    });
  }

  /** The partials held, touched longest ago first. */
  async list(): Promise<PartialInfo[]> {
    const all = (await done(this.db.transaction(META, 'readonly').objectStore(META).getAll())) as unknown[];
    return all
      .map(asMeta)
      .filter((m): m is Meta => !!m)
      .sort((a, b) => a.touched - b.touched)
      .map((m) => ({ id: m.id, size: m.size, heldBytes: m.held, touched: m.touched }));
  }

  async #expire(meta: IDBObjectStore, blocks: IDBObjectStore): Promise<void> {
    const keys = await done(meta.getAllKeys());
    const values = (await done(meta.getAll())) as unknown[];
    const oldest = this.#now() - this.#maxAge;
    values.forEach((value, i) => {
      const m = asMeta(value);
      if (m && m.touched >= oldest) return;
      const key = keys[i]!;
      meta.delete(key);
      // A record that fails its schema check is dropped with whatever blocks share its key.
      if (typeof key === 'string') blocks.delete(blockRange(key, blockCount(m ? m.size : MAX_OBJECT_BYTES)));
    });
  }

  async #write<T>(
    body: (meta: IDBObjectStore, blocks: IDBObjectStore) => Promise<T>,
    durability: IDBTransactionDurability = 'strict',
  ): Promise<T> {
    const tx = this.db.transaction([META, BLOCKS], 'readwrite', { durability });
    const end = committed(tx);
    let result: T;
    try {
      result = await body(tx.objectStore(META), tx.objectStore(BLOCKS));
    } catch (error) {
      tx.abort();
      await end.catch(() => undefined);
      throw error;
    }
    await end;
    return result;
  }
}
