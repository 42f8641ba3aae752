import { describe, expect, it } from 'vitest';
import { tempStores } from '../test-fixtures.ts';

const temp = tempStores();

const bytes = (s: string) => new TextEncoder().encode(s);

describe('outbox', () => {
  it('orders by priority then age, survives reopening, and removes exactly once', async () => {
    const store = await temp.open();
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

    const again = await temp.reopen(store.path);
    expect((await again.peekOutbox()).map((i) => i.id)).toEqual([urgent.id, routine.id, routine2.id]);
    const acks = await Promise.all([again.ackOutbox(urgent.id), again.ackOutbox(urgent.id)]);
    expect(acks.sort()).toEqual([false, true]);
    expect(await again.ackOutbox(urgent.id)).toBe(false);
    expect(await again.outboxSize()).toBe(2);
    await again.close();
  });

  it('is idempotent by content while an item is pending', async () => {
    const store = await temp.open();
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
