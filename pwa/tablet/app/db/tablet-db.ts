import { committed, done, openDatabase, schemaVersion } from './idb.ts';
import { DB_NAME, MIGRATIONS, type CachedVisit, type QueueItem, type Setting } from './schema.ts';

/** Sent items older than this are pruned from the queue (they are on the kit). */
const KEEP_SENT_MS = 7 * 24 * 3600 * 1000;

/**
 * The tablet's own storage: the outbox of what was entered (kept until the kit has it), the
 * visits last seen (so an open visit loads with the kit unreachable) and settings.
 */
export class TabletDb {
  private constructor(private readonly db: IDBDatabase) {}

  /**
   * Opens (and migrates) the database. `early`: a connection the page opened before the app ran
   * (early-open.ts), used when it is at this schema's version; otherwise it is closed and the
   * database opened (created, upgraded) here.
   */
  static async open(
    factory: IDBFactory = indexedDB,
    name = DB_NAME,
    early?: Promise<IDBDatabase | null>,
  ): Promise<TabletDb> {
    const ready = await early?.catch(() => null);
    if (ready && ready.name === name && ready.version === schemaVersion(MIGRATIONS))
      return new TabletDb(ready);
    ready?.close();
    return new TabletDb(await openDatabase(factory, name, MIGRATIONS));
  }

  close(): void {
    this.db.close();
  }

  async #write(store: string, fn: (s: IDBObjectStore) => void): Promise<void> {
    const tx = this.db.transaction(store, 'readwrite');
    fn(tx.objectStore(store));
    await committed(tx);
  }

  #read<T>(store: string, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    return done(fn(this.db.transaction(store, 'readonly').objectStore(store)));
  }

  /** Adds an item at the end of the send order; durable when the promise resolves. */
  async enqueue(item: Omit<QueueItem, 'seq'>): Promise<QueueItem> {
    const tx = this.db.transaction('queue', 'readwrite');
    const store = tx.objectStore('queue');
    const last = await done(store.index('bySeq').openCursor(null, 'prev'));
    const seq = last ? (last.value as QueueItem).seq + 1 : 1;
    const full: QueueItem = { ...item, seq };
    store.put(full);
    await committed(tx);
    return full;
  }

  /** Every queue item in send order (pending, refused and recently sent). */
  async queue(): Promise<QueueItem[]> {
    return this.#read('queue', (s) => s.index('bySeq').getAll()) as Promise<QueueItem[]>;
  }

  /** Replaces an item (its state after a send attempt). */
  async updateItem(item: QueueItem): Promise<void> {
    await this.#write('queue', (s) => s.put(item));
  }

  /** Drops sent items older than a week: the kit holds them. Pending and refused items stay. */
  async pruneSent(now: Date): Promise<void> {
    const old = (await this.queue()).filter(
      (i) =>
        i.state === 'sent' && i.sentAt !== undefined && now.getTime() - Date.parse(i.sentAt) > KEEP_SENT_MS,
    );
    if (old.length > 0) await this.#write('queue', (s) => old.forEach((i) => s.delete(i.clientId)));
  }

  /** Keeps a visit as last seen from the kit. */
  async saveVisit(visit: CachedVisit): Promise<void> {
    await this.#write('visits', (s) => s.put(visit));
  }

  /**
   * What the app needs before its first frame, in one read-only transaction (one round trip to
   * the browser's IndexedDB backend instead of one per value): the given settings, the queue
   * (what was typed and is not on the kit yet shows on the screen at once) and, when a visit is
   * being opened, its last view. The visit screen can then draw complete from the first render.
   */
  async startup(
    settingKeys: readonly string[],
    visitId: string | null,
  ): Promise<{ settings: Map<string, unknown>; queue: QueueItem[]; visit: CachedVisit | undefined }> {
    const tx = this.db.transaction(['settings', 'queue', 'visits'], 'readonly');
    const settings = tx.objectStore('settings');
    const rows = settingKeys.map((k) => done(settings.get(k) as IDBRequest<Setting | undefined>));
    const queue = done(tx.objectStore('queue').index('bySeq').getAll()) as Promise<QueueItem[]>;
    const visit =
      visitId === null
        ? Promise.resolve(undefined)
        : done(tx.objectStore('visits').get(visitId) as IDBRequest<CachedVisit | undefined>);
    const [values, items, cached] = await Promise.all([Promise.all(rows), queue, visit]);
    const found = new Map<string, unknown>();
    values.forEach((row, i) => row !== undefined && found.set(settingKeys[i]!, row.value));
    return { settings: found, queue: items, visit: cached };
  }

  async visit(id: string): Promise<CachedVisit | undefined> {
    return this.#read('visits', (s) => s.get(id) as IDBRequest<CachedVisit | undefined>);
  }

  async setting<T>(key: string): Promise<T | undefined> {
    const row = await this.#read('settings', (s) => s.get(key) as IDBRequest<Setting | undefined>);
    return row?.value as T | undefined;
  }

  async setSetting(key: string, value: unknown): Promise<void> {
    await this.#write('settings', (s) => s.put({ key, value } satisfies Setting));
  }
}
