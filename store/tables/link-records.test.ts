import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { TEST_KDF, tempDir } from '../testing.ts';
import { filesContaining } from '../../test/helpers/data-dir.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('link records', () => {
  it('are sealed, scanned by prefix in key order, atomic per transaction, and survive reopening', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
    await store.linkTransaction((tx) => {
      tx.put('st/x-02', { state: 'queued', note: 'Консультация кардиолога' });
      tx.put('st/x-01', { state: 'sending', bytes: 4096 });
      tx.put('blk/aa/00000001', { d: new Uint8Array([1, 2, 3]) });
    });
    await expect(
      store.linkTransaction((tx) => {
        tx.put('st/x-03', { state: 'queued' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect((await store.linkScan('st/')).map((e) => e.key)).toEqual(['st/x-01', 'st/x-02']);
    expect(await store.linkCount('blk/aa/')).toBe(1);
    const seen = await store.linkTransaction((tx) => {
      const before = tx.get('st/x-01');
      tx.put('st/x-01', { ...before, state: 'at_hub' });
      return tx.delete('blk/aa/00000001') && !tx.delete('blk/aa/00000001');
    });
    expect(seen).toBe(true);
    await store.close();
    expect(filesContaining(t.dir, 'Консультация')).toEqual([]);
    const again = await openStore({ path: t.dir, passphrase: 'pw' });
    expect(await again.linkGet('st/x-01')).toEqual({ state: 'at_hub', bytes: 4096 });
    expect(await again.linkCount('blk/')).toBe(0);
    const sig = await again.signAsKit(new Uint8Array([1]));
    expect(sig.byteLength).toBe(64);
    await again.close();
  });

  it('keeps five outbox priorities in order (bulk last)', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
    const b = await store.enqueueOutbox({ priority: 'bulk', kind: 'photo', payload: new Uint8Array([1]) });
    const u = await store.enqueueOutbox({
      priority: 'urgent',
      kind: 'consultation',
      payload: new Uint8Array([2]),
    });
    const l = await store.enqueueOutbox({ priority: 'low', kind: 'ecg', payload: new Uint8Array([3]) });
    expect((await store.peekOutbox()).map((i) => i.id)).toEqual([u.id, l.id, b.id]);
    await store.close();
  });
});
