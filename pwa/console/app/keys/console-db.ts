/**
 * The console's IndexedDB: the sealed device keys, the items received (kept opened, since the
 * device key would open them again anyway, but only inside this browser profile), and small
 * state (claims, sent answers, the pinned directory). One database, three object stores with
 * out-of-line keys; every write resolves only once its transaction committed.
 *
 * Every promise here settles: an open that another tab's connection blocks, or that never
 * answers, fails after {@link OPEN_TIMEOUT_MS}; a request whose transaction aborts fails with
 * the transaction's error. A connection closes itself when another tab upgrades the database
 * (`versionchange`), so a newer console is never blocked by this one, and says so through
 * `onLost` (this page can no longer read or write: it must reload).
 */
const NAME = 'fieldkit-console';
const VERSION = 1;
/**
 * How long an open may wait (blocked by another tab's connection, or a busy browser) before it
 * fails. The Russian text of that failure names it (i18n `startTimeout`: «за 20 секунд»).
 */
export const OPEN_TIMEOUT_MS = 20_000;
/** The object stores. */
export type StoreName = 'vault' | 'items' | 'state';

/** Why the database could not be used: the screens say each in Russian. */
export class ConsoleDbError extends Error {
  constructor(
    /**
     * `blocked`/`timeout`: the open did not finish (another tab holds an older version open, or
     * the browser did not answer); `version`: the stored database is newer than this console;
     * `closed`: another tab upgraded it or the browser closed it; `failed`: any other error.
     */
    readonly code: 'blocked' | 'timeout' | 'version' | 'closed' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'ConsoleDbError';
  }
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
    // An abort fails the request too, but the request's error event is not promised for
    // every cause (a closing connection): the transaction's abort settles it as well.
    request.transaction?.addEventListener('abort', () =>
      reject(request.transaction?.error ?? new ConsoleDbError('closed', 'IndexedDB transaction aborted')),
    );
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

  /**
   * Opens (creating on first use) the database; fails with a {@link ConsoleDbError} rather than
   * waiting for good. `onLost` is called once if the connection is later closed under the
   * console (another tab's upgrade, the browser clearing the site's data).
   */
  static open(
    options: { factory?: IDBFactory; timeoutMs?: number; onLost?: (why: ConsoleDbError) => void } = {},
  ): Promise<ConsoleDb> {
    const factory = options.factory ?? indexedDB;
    return new Promise((resolve, reject) => {
      let settled = false;
      let blocked = false;
      const fail = (error: ConsoleDbError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(
        () =>
          fail(
            blocked
              ? new ConsoleDbError('blocked', 'another tab keeps an older version of the database open')
              : new ConsoleDbError(
                  'timeout',
                  `the database did not open in ${options.timeoutMs ?? OPEN_TIMEOUT_MS} ms`,
                ),
          ),
        options.timeoutMs ?? OPEN_TIMEOUT_MS,
      );
      let request: IDBOpenDBRequest;
      try {
        request = factory.open(NAME, VERSION);
      } catch (error) {
        fail(new ConsoleDbError('failed', String(error)));
        return;
      }
      request.onblocked = () => {
        blocked = true;
      };
      request.onupgradeneeded = () => {
        const db = request.result;
        for (const name of ['vault', 'items', 'state'] as const)
          if (!db.objectStoreNames.contains(name)) db.createObjectStore(name);
      };
      request.onerror = (event) => {
        // Handled here: not reported again as an uncaught error of the page.
        event.preventDefault();
        const error = request.error;
        fail(
          error?.name === 'VersionError'
            ? new ConsoleDbError('version', 'the stored database is newer than this console')
            : new ConsoleDbError('failed', String(error ?? 'IndexedDB open failed')),
        );
      };
      request.onsuccess = () => {
        const db = request.result;
        // Opened after the caller gave up: closed at once, so it blocks no later upgrade.
        if (settled) return db.close();
        settled = true;
        clearTimeout(timer);
        db.onversionchange = () => {
          db.close();
          options.onLost?.(new ConsoleDbError('closed', 'another tab upgraded the database'));
        };
        db.onclose = () => options.onLost?.(new ConsoleDbError('closed', 'the browser closed the database'));
        resolve(new ConsoleDb(db));
      };
    });
  }

  /** Closes the connection (a retried start opens a new one). */
  close(): void {
    this.db.close();
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
