/**
 * The console's IndexedDB: the sealed device keys, the items received (kept opened, since the
 * device key would open them again anyway, but only inside this browser profile), and small
 * state (claims, sent answers, the pinned directory). One database, three object stores with
 * out-of-line keys; every write resolves only once its transaction committed.
 */
const NAME = 'fieldkit-console';
const VERSION = 1;
/** The object stores. */
export type StoreName = 'vault' | 'items' | 'state';

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

/** The console's database handle. */
export class ConsoleDb {
  private constructor(readonly db: IDBDatabase) {}

  /** Opens (creating on first use) the database. */
  static async open(factory: IDBFactory = indexedDB): Promise<ConsoleDb> {
    const request = factory.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const name of ['vault', 'items', 'state'] as const)
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
    };
    return new ConsoleDb(await done(request));
  }

  /** A value by key, or undefined. */
  async get(store: StoreName, key: string): Promise<unknown> {
    return done(this.db.transaction(store, 'readonly').objectStore(store).get(key));
  }

  /** Every value of a store. */
  async all(store: StoreName): Promise<unknown[]> {
    return done(this.db.transaction(store, 'readonly').objectStore(store).getAll());
  }

  /** Writes a value; resolves once committed (durable for the browser). */
  async put(store: StoreName, key: string, value: unknown): Promise<void> {
    const tx = this.db.transaction(store, 'readwrite', { durability: 'strict' });
    tx.objectStore(store).put(value, key);
    await committed(tx);
  }
}
