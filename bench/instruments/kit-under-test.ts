import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Transport } from '../../ble-devices/transport.ts';
import { parseKitConfig } from '../../runtime/config.ts';
import { startKit, type KitHandle, type KitStore } from '../../runtime/kit.ts';
import { createLogger } from '../../runtime/log.ts';
import { openStore } from '../../store/index.ts';
import { contextOf } from '../../store/record-store.ts';
import { TEST_KDF } from '../../store/testing.ts';
import { ECG_CHARACTERISTIC, now } from './fleet.ts';
import { frameKey } from './matching.ts';

/** One committed write (or, for ECG, one frame reaching the pipeline), keyed like the instruments key what they sent. */
export interface Commit {
  readonly deviceId: string;
  readonly characteristic: string;
  /** bench/instruments/matching.ts: frameKey of the frame's raw bytes. */
  readonly key: string;
  /** When the pipeline handed the reading to the store (for ECG: when it reached the pipeline). */
  readonly calledAt: number;
  /** When the store resolved the write (durable). */
  readonly at: number;
}

/** The real kit (store, pipeline, manager, HTTP) on a transport, with its commits timed. */
export interface KitUnderTest {
  readonly kit: KitHandle;
  readonly commits: Commit[];
  /** ECG notifications as they reach the pipeline (a strip is committed whole, not per notification). */
  readonly waveforms: Commit[];
  /** Every store transaction: when it was handed to LMDB and how long until it was durable (ms). */
  readonly transactions: Array<{ readonly at: number; readonly ms: number }>;
  /** The kit's data directory (the disk the store syncs to). */
  readonly dir: string;
  connected(): number;
  /**
   * Resolves with the time of the first commit from `deviceId` after its link came back (the
   * manager reported it connected again) following `since`; readings in flight at the drop do
   * not count.
   */
  firstReadingAfterReconnect(deviceId: string, since: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Boots the kit through its composition root (startKit) on an encrypted store in a temporary
 * directory. Commits are timed where the pipeline hands them to the store and where the store
 * resolves them, keyed by the frame's device timestamp or bytes as the instruments key what
 * they sent.
 */
export async function kitUnderTest(transport: Transport, reconnectDelayMs?: number): Promise<KitUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldkit-bench-instruments-'));
  const store = await openStore({ path: dir, passphrase: 'bench instruments passphrase', kdf: TEST_KDF });
  const commits: Commit[] = [];
  const waiters = new Set<(c: Commit) => void>();
  // The kit gathers readings of a few milliseconds into one call (CoalescingWriter): one commit
  // per distinct frame in the call, so every reading is matched to what its instrument sent.
  const addObservations: KitStore['addObservations'] = (inputs) => {
    const calledAt = now();
    return store.addObservations(inputs).then((r) => {
      const at = now();
      const seen = new Set<string>();
      for (const { provenance: p } of inputs) {
        const key = frameKey(p.characteristic, p.raw);
        const id = `${p.deviceId} ${key}`;
        if (seen.has(id)) continue;
        seen.add(id);
        const c = { deviceId: p.deviceId, characteristic: p.characteristic, key, calledAt, at };
        commits.push(c);
        for (const w of [...waiters]) w(c);
      }
      return r;
    });
  };
  // Each LMDB write transaction, timed from the batcher handing it over until it resolves (the
  // commit with its fsyncs: overlappingSync is off), to tell the disk's share from the queueing.
  const transactions: Array<{ at: number; ms: number }> = [];
  const env = contextOf(store).dbs.env;
  const transaction = env.transaction.bind(env);
  env.transaction = ((cb: () => unknown) => {
    const at = now();
    const done = transaction(cb);
    void done.then(
      () => void transactions.push({ at, ms: now() - at }),
      () => undefined,
    );
    return done;
  }) as typeof env.transaction;
  const timed = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'addObservations') return addObservations;
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const config = parseKitConfig({
    dataDir: dir,
    // Both listeners on free ports (the HTTPS default, 8443, may be a running kit's).
    http: { host: '127.0.0.1', port: 0, httpsPort: 0 },
    sim: { enabled: false },
    utcOffsetMinutes: 0,
    logLevel: 'silent',
    ...(reconnectDelayMs === undefined ? {} : { reconnectDelayMs }),
  });
  const kit = await startKit(config, timed, createLogger('silent'), 'bench', { transport });
  const waveforms: Commit[] = [];
  kit.pipeline.onWaveform((chunk) => {
    const at = now();
    const key = frameKey(ECG_CHARACTERISTIC, chunk.raw);
    waveforms.push({ deviceId: chunk.deviceId, characteristic: ECG_CHARACTERISTIC, key, calledAt: at, at });
  });
  return {
    kit,
    commits,
    waveforms,
    transactions,
    dir,
    connected: () => kit.instruments.list().filter((s) => s.state === 'connected').length,
    firstReadingAfterReconnect(deviceId, since, timeoutMs) {
      return new Promise((resolve, reject) => {
        let back = Number.POSITIVE_INFINITY;
        const off = kit.bus.subscribe((e) => {
          if (
            e.type === 'instrument' &&
            e.status.id === deviceId &&
            e.status.state === 'connected' &&
            now() > since
          )
            back = Math.min(back, now());
        });
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(w);
          off();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no reading from ${deviceId} within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = (c: Commit): void => {
          if (c.deviceId !== deviceId || c.at <= back) return;
          done();
          resolve(c.at);
        };
        waiters.add(w);
      });
    },
    async stop() {
      await kit.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
