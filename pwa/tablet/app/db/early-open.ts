/** Where the page's inline start script leaves its open request (see early-entry.ts). */
export const EARLY_DB_KEY = 'fieldkitEarlyDb';

/**
 * Opens an existing database at whatever version it has, without ever creating one: when there
 * is none, the upgrade that would create it is aborted (IndexedDB then deletes the new, empty
 * database) and the promise resolves null, as it does on any failure. Why: the tablet opens its
 * database from a tiny script inlined in the page, while the app's own script is still being
 * fetched and compiled, so the round trip to the browser's IndexedDB backend overlaps that work
 * instead of following it. Creating and migrating stay with the app (TabletDb.open).
 */
export function openIfExists(factory: IDBFactory, name: string): Promise<IDBDatabase | null> {
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(name);
    } catch {
      resolve(null);
      return;
    }
    request.onupgradeneeded = () => request.transaction?.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = (event) => {
      event.preventDefault();
      resolve(null);
    };
    request.onblocked = () => resolve(null);
  });
}

/** The early open request of this page, if its start script made one (it is taken only once). */
export function takeEarlyDb(global: object): Promise<IDBDatabase | null> | undefined {
  const holder = global as { [EARLY_DB_KEY]?: Promise<IDBDatabase | null> };
  const early = holder[EARLY_DB_KEY];
  delete holder[EARLY_DB_KEY];
  return early;
}
