import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../crypto/bytes.ts';
import type { Frame } from '../../../../runtime/link/frames.ts';
import { BLOCK_BYTES } from '../../../../runtime/link/frames.ts';
import { buildManifest, sha256 } from '../../../../runtime/link/manifest.ts';
import { Incoming, ObjectRefusal } from './incoming.ts';
import { MemoryPartials } from './memory-partials.ts';
import type { Partials } from './partial-store.ts';
import { PartialStore } from './partial-store.ts';

/** An object of `blocks` blocks (the last one short), with its id and manifest. */
function object(blocks: number) {
  const bytes = new Uint8Array(randomBytes(blocks * BLOCK_BYTES - 1000));
  return { bytes, id: sha256(bytes), hex: toHex(sha256(bytes)), hashes: buildManifest(bytes) };
}
const part = (bytes: Uint8Array, first: number, count: number) =>
  bytes.subarray(first * BLOCK_BYTES, Math.min(bytes.byteLength, (first + count) * BLOCK_BYTES));

/** A receiver on a store, recording what it sends and what it hands up. */
function session(store: Partials, held = new Set<string>()) {
  const sent: Frame[] = [];
  const handed: { id: string; bytes: Uint8Array }[] = [];
  const incoming = new Incoming((f) => sent.push(f), store, {
    onObject: (id, bytes) => {
      if (bytes.byteLength === 1) throw new ObjectRefusal('not_addressed', 'not for us');
      handed.push({ id, bytes });
      held.add(id);
      return Promise.resolve('stored');
    },
    holds: (id) => Promise.resolve(held.has(id)),
  });
  return { sent, handed, incoming };
}

/**
 * The console's partial objects on fake-indexeddb (the same API as Chromium's; the Chromium test
 * console-resume.test.ts runs the same code against a real hub across a cut).
 */
describe('console partial objects', () => {
  it('answers a later session with what the first one kept, and hands up the whole object', async () => {
    const factory = new IDBFactory();
    const o = object(10);
    let store = await PartialStore.open({ factory });
    const first = session(store);
    await first.incoming.receive({
      t: 'offer',
      id: o.id,
      size: o.bytes.byteLength,
      blockSize: 4096,
      hashes: o.hashes,
    });
    await first.incoming.receive({ t: 'chunk', id: o.id, first: 0, data: part(o.bytes, 0, 4) });
    await first.incoming.receive({ t: 'chunk', id: o.id, first: 6, data: part(o.bytes, 6, 2) });
    expect(first.sent.map((f) => f.t)).toEqual(['have', 'ack', 'ack']);
    expect(first.sent[0]).toMatchObject({ t: 'have', ranges: [] });
    store.close();

    // The page reloads: a new store handle and a new session.
    store = await PartialStore.open({ factory });
    const second = session(store);
    await second.incoming.receive({
      t: 'offer',
      id: o.id,
      size: o.bytes.byteLength,
      blockSize: 4096,
      hashes: o.hashes,
    });
    expect(second.sent[0]).toMatchObject({
      t: 'have',
      complete: false,
      ranges: [
        [0, 4],
        [6, 2],
      ],
    });
    await second.incoming.receive({ t: 'chunk', id: o.id, first: 4, data: part(o.bytes, 4, 2) });
    expect(second.handed).toEqual([]);
    await second.incoming.receive({ t: 'chunk', id: o.id, first: 8, data: part(o.bytes, 8, 2) });
    expect(second.handed.map((h) => h.id)).toEqual([o.hex]);
    expect(second.handed[0]!.bytes).toEqual(o.bytes);
    expect(second.sent.at(-1)).toMatchObject({ t: 'stored', outcome: 'stored' });
    // Whole: its partial is gone, and a later offer of it is a duplicate at once.
    expect(await store.list()).toEqual([]);
    await second.incoming.receive({
      t: 'offer',
      id: o.id,
      size: o.bytes.byteLength,
      blockSize: 4096,
      hashes: o.hashes,
    });
    expect(second.sent.at(-1)).toMatchObject({ t: 'stored', outcome: 'duplicate' });
    store.close();
  });

  it('never keeps a block that fails its manifest', async () => {
    const store = await PartialStore.open({ factory: new IDBFactory() });
    const o = object(3);
    const s = session(store);
    await s.incoming.receive({
      t: 'offer',
      id: o.id,
      size: o.bytes.byteLength,
      blockSize: 4096,
      hashes: o.hashes,
    });
    const bad = part(o.bytes, 0, 2).slice();
    bad[BLOCK_BYTES + 7]! ^= 1;
    await s.incoming.receive({ t: 'chunk', id: o.id, first: 0, data: bad });
    expect(s.sent.at(-1)).toMatchObject({ t: 'nack', code: 'hash_mismatch', detail: 'block 1' });
    expect((await store.list())[0]).toMatchObject({ id: o.hex, heldBytes: 0 });
    // A chunk with no offer on this session is refused, not kept.
    const other = object(2);
    await s.incoming.receive({ t: 'chunk', id: other.id, first: 0, data: part(other.bytes, 0, 1) });
    expect(s.sent.at(-1)).toMatchObject({ t: 'nack', code: 'unknown_item' });
    expect((await store.list()).map((p) => p.id)).toEqual([o.hex]);
    store.close();
  });

  it('stays within its byte limit by dropping the partial touched longest ago', async () => {
    let now = 1000;
    const store = await PartialStore.open({
      factory: new IDBFactory(),
      limitBytes: 5 * BLOCK_BYTES,
      now: () => now,
    });
    const a = object(4);
    const b = object(4);
    await store.begin(a.hex, a.bytes.byteLength, a.hashes);
    await store.put(a.hex, a.bytes.byteLength, a.hashes, 0, 3, part(a.bytes, 0, 3));
    now += 1000;
    await store.begin(b.hex, b.bytes.byteLength, b.hashes);
    await store.put(b.hex, b.bytes.byteLength, b.hashes, 0, 2, part(b.bytes, 0, 2));
    expect((await store.list()).map((p) => [p.id, p.heldBytes])).toEqual([
      [a.hex, 3 * BLOCK_BYTES],
      [b.hex, 2 * BLOCK_BYTES],
    ]);
    now += 1000;
    await store.put(b.hex, b.bytes.byteLength, b.hashes, 2, 1, part(b.bytes, 2, 1));
    expect((await store.list()).map((p) => [p.id, p.heldBytes])).toEqual([[b.hex, 3 * BLOCK_BYTES]]);
    // Its blocks went with it: a new offer of `a` starts from nothing.
    expect((await store.begin(a.hex, a.bytes.byteLength, a.hashes)).count).toBe(0);
    expect(await store.read(a.hex)).toBeUndefined();
    store.close();
  });

  it('refuses for now, not stalls, when blocks it acknowledged were dropped for the limit', async () => {
    let now = 1000;
    const store = await PartialStore.open({
      factory: new IDBFactory(),
      limitBytes: 5 * BLOCK_BYTES,
      now: () => now++,
    });
    const a = object(4);
    const b = object(4);
    const s = session(store);
    const offer = (o: typeof a) =>
      s.incoming.receive({
        t: 'offer',
        id: o.id,
        size: o.bytes.byteLength,
        blockSize: 4096,
        hashes: o.hashes,
      });
    await offer(a);
    await s.incoming.receive({ t: 'chunk', id: a.id, first: 0, data: part(a.bytes, 0, 3) });
    await offer(b);
    await s.incoming.receive({ t: 'chunk', id: b.id, first: 0, data: part(b.bytes, 0, 3) });
    // a's three blocks went to make room for b's; its last block cannot complete it.
    await s.incoming.receive({ t: 'chunk', id: a.id, first: 3, data: part(a.bytes, 3, 1) });
    expect(s.sent.at(-1)).toMatchObject({ t: 'nack', code: 'storage_failed' });
    // The sender offers it again later, and learns what is really held.
    await offer(a);
    expect(s.sent.at(-1)).toMatchObject({ t: 'have', ranges: [[3, 1]] });
    expect(s.handed).toEqual([]);
    store.close();
  });

  it('drops a partial no offer named for its maximum age, and one whose offer changed', async () => {
    const factory = new IDBFactory();
    let now = 1000;
    let store = await PartialStore.open({ factory, maxAgeMs: 60_000, now: () => now });
    const a = object(3);
    const b = object(3);
    await store.begin(a.hex, a.bytes.byteLength, a.hashes);
    await store.put(a.hex, a.bytes.byteLength, a.hashes, 0, 1, part(a.bytes, 0, 1));
    await store.begin(b.hex, b.bytes.byteLength, b.hashes);
    await store.put(b.hex, b.bytes.byteLength, b.hashes, 0, 2, part(b.bytes, 0, 2));
    now += 30_000;
    // Another manifest under b's id: its blocks were checked against the old one, so they go.
    const forged = b.hashes.slice();
    forged[0]! ^= 1;
    expect((await store.begin(b.hex, b.bytes.byteLength, forged)).count).toBe(0);
    store.close();
    now += 31_000;
    store = await PartialStore.open({ factory, maxAgeMs: 60_000, now: () => now });
    expect((await store.list()).map((p) => [p.id, p.heldBytes])).toEqual([[b.hex, 0]]);
    store.close();
  });

  it('drops the blocks of an object refused for good', async () => {
    const store = await PartialStore.open({ factory: new IDBFactory() });
    // One byte of "object": the handler refuses it (see session()).
    const bytes = new Uint8Array([7]);
    const id = sha256(bytes);
    const s = session(store);
    await s.incoming.receive({ t: 'offer', id, size: 1, blockSize: 4096, hashes: buildManifest(bytes) });
    await s.incoming.receive({ t: 'chunk', id, first: 0, data: bytes });
    expect(s.sent.at(-1)).toMatchObject({ t: 'nack', code: 'not_addressed' });
    expect(await store.list()).toEqual([]);
    store.close();
  });

  it('lets go when another tab upgrades its database, and a console opened then falls back to memory', async () => {
    const factory = new IDBFactory();
    const store = await PartialStore.open({ factory });
    expect(store.lost).toBe(false);
    // A newer console in another tab: this one's connection closes rather than blocking it.
    const newer = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open('fieldkit-console-partials', 2);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('open failed'));
      r.onblocked = () => reject(new Error('blocked by the older console'));
    });
    expect(store.lost).toBe(true);
    // This (older) build cannot open the newer database: refused, not waited on.
    await expect(PartialStore.open({ factory, openTimeoutMs: 2000 })).rejects.toThrow();
    newer.close();
  });

  it('resumes within the page from memory when the store cannot be used', async () => {
    const memory = new MemoryPartials();
    const o = object(6);
    const first = session(memory);
    const offer = {
      t: 'offer',
      id: o.id,
      size: o.bytes.byteLength,
      blockSize: 4096,
      hashes: o.hashes,
    } as const;
    await first.incoming.receive(offer);
    await first.incoming.receive({ t: 'chunk', id: o.id, first: 0, data: part(o.bytes, 0, 3) });
    // A cut: the next session's HAVE names what the page kept.
    const second = session(memory);
    await second.incoming.receive(offer);
    expect(second.sent[0]).toMatchObject({ t: 'have', ranges: [[0, 3]] });
    await second.incoming.receive({ t: 'chunk', id: o.id, first: 3, data: part(o.bytes, 3, 3) });
    expect(second.handed[0]!.bytes).toEqual(o.bytes);
    expect(await memory.read(o.hex)).toBeUndefined();
  });
});
