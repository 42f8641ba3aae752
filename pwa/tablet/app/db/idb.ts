/** A request as a promise. */
export function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** Resolves when a transaction has committed (rejects when it aborted). */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
  });
}

/** A schema step: runs inside the upgrade transaction when the stored version is below its number. */
export type Migration = (db: IDBDatabase, tx: IDBTransaction) => void;

/** The version a set of migrations brings a database to: its highest step (1 when there is none). */
export function schemaVersion(migrations: Readonly<Record<number, Migration>>): number {
  return Math.max(1, ...Object.keys(migrations).map(Number));
}

/**
 * Opens a database and applies every numbered migration above the stored version, in order, in
 * the one upgrade transaction (so a failed step leaves the previous version intact).
 */
export function openDatabase(
  factory: IDBFactory,
  name: string,
  migrations: Readonly<Record<number, Migration>>,
): Promise<IDBDatabase> {
  const steps = Object.keys(migrations)
    .map(Number)
    .sort((a, b) => a - b);
  const version = schemaVersion(migrations);
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = (event) => {
      const tx = request.transaction!;
      for (const step of steps) if (step > event.oldVersion) migrations[step]!(request.result, tx);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error(`cannot open ${name}`));
    request.onblocked = () => reject(new Error(`${name} is open in another tab at an older version`));
  });
}
