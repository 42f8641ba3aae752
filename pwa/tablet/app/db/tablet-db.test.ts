import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openIfExists } from './early-open.ts';
import { openDatabase } from './idb.ts';
import { MIGRATIONS } from './schema.ts';
import { TabletDb } from './tablet-db.ts';

const item = (clientId: string) => ({
  clientId,
  kind: 'entry' as const,
  visitId: 'v-0000000000000001',
  createdAt: '2026-05-01T10:00:00.000Z',
  body: { clientId, kind: 'note', text: 'записано без связи', enteredAt: '2026-05-01T10:00:00.000Z' },
  state: 'pending' as const,
  attempts: 0,
});

/** The tablet's IndexedDB behind its typed schema, on fake-indexeddb (the same API as Chromium's). */
describe('tablet database', () => {
  it('keeps queued items in the order they were made, across reopening', async () => {
    const factory = new IDBFactory();
    let db = await TabletDb.open(factory);
    for (const id of ['c-first-0001', 'c-second-002', 'c-third-0003']) await db.enqueue(item(id));
    db.close();
    db = await TabletDb.open(factory);
    expect((await db.queue()).map((i) => [i.clientId, i.seq])).toEqual([
      ['c-first-0001', 1],
      ['c-second-002', 2],
      ['c-third-0003', 3],
    ]);
    db.close();
  });

  it('upgrades to a later version without losing what was queued', async () => {
    const factory = new IDBFactory();
    const v1 = await TabletDb.open(factory);
    await v1.enqueue(item('c-offline-001'));
    await v1.saveVisit({ id: 'v-1', view: {} as never, savedAt: 'now' });
    v1.close();
    // A later release adds a store and an index: its migration runs once, on top of version 1.
    const later = await openDatabase(factory, 'fieldkit-tablet', {
      ...MIGRATIONS,
      2: (_db, tx) => tx.objectStore('queue').createIndex('byVisit', 'visitId'),
      3: (db) => db.createObjectStore('drafts', { keyPath: 'id' }),
    });
    expect(later.version).toBe(3);
    expect([...later.objectStoreNames].sort()).toEqual(['drafts', 'queue', 'settings', 'visits']);
    later.close();
    const reopened = await TabletDb.open(factory).catch((e: Error) => e);
    // Opening at an older version than the stored one is refused by IndexedDB, never a wipe.
    expect(reopened).toBeInstanceOf(Error);
    const raw = await openDatabase(factory, 'fieldkit-tablet', {
      ...MIGRATIONS,
      2: () => undefined,
      3: () => undefined,
    });
    const rows = await new Promise<unknown[]>((resolve) => {
      const r = raw.transaction('queue').objectStore('queue').getAll();
      r.onsuccess = () => resolve(r.result);
    });
    expect(rows).toHaveLength(1);
    raw.close();
  });

  it('has migrations that only add: no step deletes or clears anything', () => {
    for (const [n, step] of Object.entries(MIGRATIONS))
      expect(String(step), `migration ${n}`).not.toMatch(/delete|clear/i);
  });

  it('prunes only sent items older than a week; pending and refused items stay', async () => {
    const db = await TabletDb.open(new IDBFactory());
    const now = new Date('2026-05-10T00:00:00Z');
    await db.enqueue({ ...item('c-sent-old-01'), state: 'sent', sentAt: '2026-05-01T00:00:00Z' } as never);
    await db.enqueue({ ...item('c-sent-new-01'), state: 'sent', sentAt: '2026-05-09T00:00:00Z' } as never);
    await db.enqueue({ ...item('c-refused-001'), state: 'refused' } as never);
    await db.enqueue(item('c-pending-001'));
    await db.pruneSent(now);
    expect((await db.queue()).map((i) => i.clientId)).toEqual([
      'c-sent-new-01',
      'c-refused-001',
      'c-pending-001',
    ]);
    db.close();
  });

  it('reads what the first render needs in one go: settings, the queue in order and the visit', async () => {
    const db = await TabletDb.open(new IDBFactory());
    await db.setSetting('session', {
      token: 't-1',
      tablet: { id: 'tab-1', name: 'Планшет', role: 'feldsher' },
    });
    await db.setSetting('locale', 'en');
    await db.enqueue(item('c-first-0001'));
    await db.enqueue(item('c-second-002'));
    await db.saveVisit({ id: 'v-0000000000000001', view: { marker: 'cached' } as never, savedAt: 'now' });
    const kept = await db.startup(['session', 'locale', 'absent'], 'v-0000000000000001');
    expect(kept.settings.get('session')).toEqual({
      token: 't-1',
      tablet: { id: 'tab-1', name: 'Планшет', role: 'feldsher' },
    });
    expect(kept.settings.get('locale')).toBe('en');
    expect(kept.settings.has('absent')).toBe(false);
    expect(kept.queue.map((i) => i.clientId)).toEqual(['c-first-0001', 'c-second-002']);
    expect(kept.visit?.view).toEqual({ marker: 'cached' });
    // Not opening a visit, or one never seen on this tablet: no visit, the rest as before.
    expect((await db.startup(['locale'], null)).visit).toBeUndefined();
    expect((await db.startup(['locale'], 'v-unknown')).visit).toBeUndefined();
    db.close();
  });

  it('opens early only a database that exists, and the app uses that connection when it is current', async () => {
    const factory = new IDBFactory();
    // A tablet's first start: nothing is created early (the app creates and migrates).
    expect(await openIfExists(factory, 'fieldkit-tablet')).toBeNull();
    expect((await factory.databases()).map((d) => d.name)).toEqual([]);
    const first = await TabletDb.open(factory, 'fieldkit-tablet', openIfExists(factory, 'fieldkit-tablet'));
    await first.enqueue(item('c-first-0001'));
    first.close();
    // Later starts: the early connection is the app's (closing the app's closes it).
    const early = await openIfExists(factory, 'fieldkit-tablet');
    expect(early?.version).toBe(1);
    const db = await TabletDb.open(factory, 'fieldkit-tablet', Promise.resolve(early));
    expect((await db.queue()).map((i) => i.clientId)).toEqual(['c-first-0001']);
    db.close();
    expect(() => early!.transaction('queue')).toThrow();
  });

  it('does not use an early connection at another version: it is closed and the usual open decides', async () => {
    const factory = new IDBFactory();
    const newer = await openDatabase(factory, 'fieldkit-tablet', { ...MIGRATIONS, 2: () => undefined });
    newer.close();
    const early = await openIfExists(factory, 'fieldkit-tablet');
    expect(early?.version).toBe(2);
    // A database of a later release is refused (never reopened lower, never wiped), as without it.
    const opened = await TabletDb.open(factory, 'fieldkit-tablet', Promise.resolve(early)).catch(
      (e: Error) => e,
    );
    expect(opened).toBeInstanceOf(Error);
    expect(() => early!.transaction('queue')).toThrow();
  });
});
