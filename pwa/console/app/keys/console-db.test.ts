import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { ConsoleDb, ConsoleDbError } from './console-db.ts';

/** Opens the console's database at `version` on `factory`, as another tab would; resolves on success. */
function openOther(
  factory: IDBFactory,
  version: number,
): { request: IDBOpenDBRequest; opened: Promise<IDBDatabase> } {
  const request = factory.open('fieldkit-console', version);
  const opened = new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('open failed'));
  });
  return { request, opened };
}

/** `promise`, or a rejection naming `what` after 5 s (a blocked open fails the test, not hangs it). */
function within<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: still waiting after 5 s`)), 5000),
    ),
  ]);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'opened';
  } catch (error) {
    return error instanceof ConsoleDbError ? error.code : `not typed: ${String(error)}`;
  }
}

// The console's database on fake-indexeddb (the IndexedDB API as Chromium's; the Chromium run of
// the same paths, through the console's screens, is test/console/console-reload.test.ts).
describe('the console database (every open settles)', () => {
  it('closes itself when another tab upgrades the database, and says it lost it', async () => {
    const factory = new IDBFactory();
    const lost: string[] = [];
    const db = await ConsoleDb.open({ factory, onLost: (why) => lost.push(why.code) });
    await db.put('vault', 'device', { identity: 'spec-ivanova' });
    const other = openOther(factory, 2);
    let blocked = false;
    other.request.onblocked = () => {
      blocked = true;
    };
    const upgraded = await within(other.opened, "the other tab's upgrade");
    expect(upgraded.version).toBe(2);
    expect(blocked).toBe(false);
    expect(lost).toEqual(['closed']);
    // This connection is closed: a read fails at once, it does not hang.
    await expect(db.get('vault', 'device')).rejects.toThrow();
    upgraded.close();
  });

  it('fails as `version` when the stored database is newer than this console', async () => {
    const factory = new IDBFactory();
    (await openOther(factory, 5).opened).close();
    expect(await codeOf(ConsoleDb.open({ factory }))).toBe('version');
  });

  it('fails as `timeout` when another tab holds an upgrade, and closes the connection that opens late', async () => {
    const factory = new IDBFactory();
    (await ConsoleDb.open({ factory })).close();
    // Another tab deletes the database while a third connection (no versionchange handler)
    // blocks the deletion: the console's open is queued behind it and cannot finish.
    const holder = await openOther(factory, 1).opened; // no versionchange handler: it blocks
    const deletion = factory.deleteDatabase('fieldkit-console');
    const lateOpen = ConsoleDb.open({ factory, timeoutMs: 200 });
    expect(await codeOf(lateOpen)).toBe('timeout');
    // The holder lets go: the deletion runs, then the console's open succeeds after it gave up;
    // that connection is closed at once, so it cannot block a later upgrade.
    holder.close();
    await new Promise<void>((resolve) => {
      deletion.onsuccess = () => resolve();
    });
    const upgrade = openOther(factory, 2);
    let blocked = false;
    upgrade.request.onblocked = () => {
      blocked = true;
    };
    (await within(upgrade.opened, 'a later upgrade')).close();
    expect(blocked).toBe(false);
  });

  it('reads and writes what it stores', async () => {
    const factory = new IDBFactory();
    const db = await ConsoleDb.open({ factory });
    await db.put('state', 'concluded', { 'i-1': 'queued' });
    expect(await db.get('state', 'concluded')).toEqual({ 'i-1': 'queued' });
    expect(await db.all('state')).toEqual([{ 'i-1': 'queued' }]);
    expect(await db.get('vault', 'device')).toBeUndefined();
    db.close();
  });
});
