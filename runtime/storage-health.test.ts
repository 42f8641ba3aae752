import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { KitEvent } from './events.ts';
import { LiveBus } from './live-bus.ts';
import { createLogger } from './log.ts';
import { StorageHealth } from './storage-health.ts';
import type { StorageStatus } from './storage-status.ts';

/**
 * The state machine alone, with the free space supplied by the test (the real statfs on a real
 * filling tmpfs is exercised by test/kit-full-disk.test.ts).
 */
function rig() {
  let free = 100;
  const bus = new LiveBus<KitEvent>();
  const storage: StorageStatus[] = [];
  bus.subscribe((e) => e.type === 'storage' && storage.push(e.status));
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
      done();
    },
  });
  const health = new StorageHealth({
    dir: '/data',
    bus,
    log: createLogger('info', sink),
    lowSpaceBytes: 50,
    checkIntervalMs: 3_600_000,
    reminderMs: 0,
    space: () => Promise.resolve({ freeBytes: free, totalBytes: 1000 }),
  });
  const fail = (notStored: number, notStoredTotal: number, code = 'write_failed') =>
    bus.publish({
      type: 'store-error',
      message: 'disk full',
      code,
      notStored,
      notStoredTotal,
      at: new Date(),
    });
  return { health, bus, storage, lines, fail, setFree: (n: number) => (free = n) };
}

describe('storage health', () => {
  it('announces low space once when crossing the threshold and clears only above it with a margin', async () => {
    const r = rig();
    await r.health.start();
    expect(r.storage).toEqual([]);
    r.setFree(40);
    await r.health.check();
    await r.health.check();
    expect(r.storage.map((s) => s.lowSpace)).toEqual([true]);
    expect(r.lines.filter((l) => l.msg.startsWith('disk space low'))).toHaveLength(1);
    r.setFree(51); // above the threshold, within the margin: still low
    await r.health.check();
    expect(r.storage).toHaveLength(1);
    r.setFree(60);
    await r.health.check();
    expect(r.storage.map((s) => s.lowSpace)).toEqual([true, false]);
    r.health.stop();
  });

  it('says once that writes fail, reminds, and on the next stored reading says how many were lost', async () => {
    const r = rig();
    await r.health.start();
    r.fail(2, 2);
    r.fail(2, 4);
    r.fail(1, 5);
    expect(r.storage.map((s) => [s.writable, s.notStoredTotal])).toEqual([[false, 2]]);
    expect(r.health.status()).toMatchObject({ writable: false, notStoredTotal: 5, lastError: 'disk full' });
    expect(r.lines.filter((l) => l.msg.startsWith('the store refuses writes'))).toHaveLength(1);
    expect(r.lines.filter((l) => l.msg.startsWith('the store still refuses writes'))).toHaveLength(2);
    r.bus.publish({ type: 'observations', records: [] });
    expect(r.health.status()).toMatchObject({ writable: true, notStoredTotal: 5, lastError: null });
    const resumed = r.lines.find((l) => l.msg.startsWith('the store accepts writes again')) as
      { notStoredInOutage: number } | undefined;
    expect(resumed?.notStoredInOutage).toBe(5);
    r.health.stop();
  });

  it('counts a reading refused as invalid without declaring the store unwritable', async () => {
    const r = rig();
    await r.health.start();
    r.fail(1, 1, 'invalid_record');
    expect(r.health.status()).toMatchObject({ writable: true, notStoredTotal: 1 });
    expect(r.storage).toEqual([]);
    r.health.stop();
  });
});
