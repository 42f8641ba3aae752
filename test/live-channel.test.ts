import { afterEach, describe, expect, it } from 'vitest';
import { parseKitConfig } from '../runtime/config.ts';
import { startKit, type KitHandle } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import type { WireEvents, WireObservation } from '../runtime/http/wire.ts';
import { openStore, type RecordStore } from '../store/index.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';
import { KitClient, pairTablet } from './helpers/kit-client.ts';
import type { SseMessage } from '../pwa/tablet/app/net/sse-parser.ts';

/** The live channel over the kit's real HTTPS: resume after a drop, reset after a restart, revocation. */
describe('live channel', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function boot(dir: string): Promise<{ kit: KitHandle; store: RecordStore; client: KitClient }> {
    const store = await openStore({ path: dir, passphrase: 'live channel test', kdf: TEST_KDF });
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0, httpsPort: 0 },
      sim: { oximeterRateHz: 20, bpIntervalMs: 60_000 },
      utcOffsetMinutes: 0,
      logLevel: 'silent',
    });
    const kit = await startKit(config, store, createLogger('silent'), 'test', { heartbeatMs: 300 });
    const stop = async () => {
      await kit.stop();
      await store.close();
    };
    cleanups.push(stop);
    return { kit, store, client: new KitClient(kit.url, kit.caPem) };
  }

  /** Reads messages until `done` says so (or 15 s pass); the connection is then dropped. */
  async function read(
    client: KitClient,
    token: string,
    done: (seen: SseMessage[]) => boolean,
    lastEventId?: string,
  ): Promise<SseMessage[]> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 15_000);
    const seen: SseMessage[] = [];
    try {
      for await (const m of client.live(token, ac.signal, lastEventId)) {
        seen.push(m);
        if (done(seen)) break;
      }
    } finally {
      clearTimeout(timer);
      ac.abort();
    }
    return seen;
  }

  const seqOf = (id: string | undefined) => Number(id?.split(':')[1]);
  const observationIds = (ms: SseMessage[]) =>
    ms
      .filter((m) => m.event === 'observations')
      .flatMap((m) => (JSON.parse(m.data) as WireObservation[]).map((o) => o.id));

  it('resumes after a drop from the last event id: nothing missed, nothing twice', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { kit, store, client } = await boot(dir);
    const token = await pairTablet(client, store);
    const first = await read(client, token, (s) => observationIds(s).length >= 5);
    const hello = JSON.parse(first[0]!.data) as WireEvents['hello'];
    expect(first[0]!.event).toBe('hello');
    expect(hello.resumed).toBe(false);
    const lastId = first.filter((m) => m.id !== undefined).at(-1)!.id!;
    // While the tablet is away, the kit keeps committing readings.
    const away = kit.journal.head;
    await new Promise<void>((resolve) => {
      const off = kit.bus.subscribe((e) => {
        if (e.type === 'observations' && kit.journal.head >= away + 10) {
          off();
          resolve();
        }
      });
    });
    const headWhenBack = kit.journal.head;
    const second = await read(client, token, (s) => seqOf(s.at(-1)?.id) >= headWhenBack + 2, lastId);
    expect(second[0]!.event).toBe('hello');
    expect((JSON.parse(second[0]!.data) as WireEvents['hello']).resumed).toBe(true);
    expect(second.some((m) => m.event === 'reset')).toBe(false);
    const seqs = second
      .slice(1)
      .filter((m) => m.id !== undefined)
      .map((m) => seqOf(m.id));
    // Contiguous from the one after the last seen: the gap was replayed.
    expect(seqs[0]).toBe(seqOf(lastId) + 1);
    seqs.forEach((s, i) => expect(s).toBe(seqs[0]! + i));
    const before = new Set(observationIds(first));
    expect(observationIds(second).filter((id) => before.has(id))).toEqual([]);
    // Everything replayed is in the store (the channel only announces committed readings).
    const stored = new Set((await store.recentObservations(1000)).map((o) => o.id));
    for (const id of observationIds(second)) expect(stored.has(id)).toBe(true);
  });

  it('tells a tablet to reload when its last id is from before a restart', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const first = await boot(dir);
    const token = await pairTablet(first.client, first.store);
    const seen = await read(first.client, token, (s) => s.some((m) => m.event === 'observations'));
    const lastId = seen.filter((m) => m.id !== undefined).at(-1)!.id!;
    await cleanups.pop()!();

    const second = await boot(dir);
    const after = await read(second.client, token, (s) => s.length >= 2, lastId);
    expect(after.map((m) => m.event)).toEqual(['hello', 'reset']);
    expect(JSON.parse(after[1]!.data)).toEqual({ reason: 'restarted' });
  });

  it('ends the stream of a tablet revoked while connected, within a heartbeat', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { store, client } = await boot(dir);
    const token = await pairTablet(client, store);
    const tablet = (await store.listTablets()).at(-1)!;
    let revokedAt = 0;
    const seen = await read(client, token, (s) => {
      if (revokedAt === 0 && s.some((m) => m.event === 'observations')) {
        revokedAt = Date.now();
        void store.revokeTablet(tablet.id);
      }
      return s.at(-1)?.event === 'unauthorized';
    });
    expect(seen.at(-1)?.event).toBe('unauthorized');
    expect(Date.now() - revokedAt).toBeLessThan(3000);
    const again = await client.request('/api/live', { token });
    expect(again.status).toBe(401);
    expect(again.json()).toMatchObject({ error: 'token_revoked' });
  });
});
