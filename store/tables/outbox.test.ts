import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { TEST_KDF, tempDir } from '../testing.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe('outbox', () => {
  it('orders by priority then age, survives reopening, and removes exactly once', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
    const routine = await store.enqueueOutbox({
      priority: 'routine',
      kind: 'observation',
      payload: bytes('a'),
    });
    const urgent = await store.enqueueOutbox({
      priority: 'urgent',
      kind: 'consultation',
      payload: bytes('b'),
    });
    const routine2 = await store.enqueueOutbox({
      priority: 'routine',
      kind: 'observation',
      payload: bytes('c'),
    });
    await store.close();

    const again = await openStore({ path: t.dir, passphrase: 'pw' });
    expect((await again.peekOutbox()).map((i) => i.id)).toEqual([urgent.id, routine.id, routine2.id]);
    const acks = await Promise.all([again.ackOutbox(urgent.id), again.ackOutbox(urgent.id)]);
    expect(acks.sort()).toEqual([false, true]);
    expect(await again.ackOutbox(urgent.id)).toBe(false);
    expect(await again.outboxSize()).toBe(2);
    await again.close();
  });

  it('is idempotent by content while an item is pending', async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const store = await openStore({ path: t.dir, passphrase: 'pw', kdf: TEST_KDF });
    const a = await store.enqueueOutbox({ priority: 'high', kind: 'ecg', payload: bytes('same') });
    const b = await store.enqueueOutbox({ priority: 'high', kind: 'ecg', payload: bytes('same') });
    expect(b.id).toBe(a.id);
    expect(await store.outboxSize()).toBe(1);
    await store.ackOutbox(a.id);
    const c = await store.enqueueOutbox({ priority: 'high', kind: 'ecg', payload: bytes('same') });
    expect(c.id).not.toBe(a.id);
    await store.close();
  });
});
