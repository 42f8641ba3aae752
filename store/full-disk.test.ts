import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fillUntil, mountTmpfs, release, type Tmpfs } from '../test/helpers/tmpfs.ts';
import { isStoreError, openStore } from './index.ts';
import { TEST_KDF, sampleObservation } from './testing.ts';

let fs: Tmpfs | undefined;
afterEach(() => {
  if (fs?.ok) fs.unmount();
  fs = undefined;
});

describe('store on a full disk', () => {
  it('refuses writes with a typed write_failed and no unhandled rejection, keeps reading, and writes again once space returns', async (ctx) => {
    fs = mountTmpfs(4 * 1024 * 1024);
    if (!fs.ok) return ctx.skip(fs.reason);
    const dir = join(fs.dir, 'data');
    const store = await openStore({ path: dir, passphrase: 'full-disk', kdf: TEST_KDF });
    const acknowledged: string[] = [];
    for (let i = 0; i < 50; i++) {
      for (const r of await store.addObservations([sampleObservation(i, 'visit-full')]))
        acknowledged.push(r.id);
    }
    const filler = join(fs.dir, 'filler');
    fillUntil(filler, 0);

    // Keep writing until the disk refuses; every refusal is a typed error, never a crash.
    const failures: unknown[] = [];
    for (let i = 0; failures.length < 5 && i < 20_000; i++) {
      const batch = Array.from({ length: 20 }, (_, j) => sampleObservation(1000 + i * 20 + j, 'visit-full'));
      await store.addObservations(batch).then(
        (records) => acknowledged.push(...records.map((r) => r.id)),
        (err: unknown) => failures.push(err),
      );
    }
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(isStoreError(f, 'write_failed'), String(f)).toBe(true);
      expect((f as Error).message).toMatch(/nothing of this write was stored/);
    }
    // Reads keep working on a full disk (their audit entry waits for the next commit that succeeds).
    expect((await store.observationsByVisit('visit-full')).length).toBe(acknowledged.length);

    release(filler);
    const after = await store.addObservations([sampleObservation(99_999, 'visit-full')]);
    acknowledged.push(...after.map((r) => r.id));
    const stored = new Set((await store.observationsByVisit('visit-full')).map((o) => o.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
    expect((await store.verifyAudit()).ok).toBe(true);
    await store.close();
  });
});
