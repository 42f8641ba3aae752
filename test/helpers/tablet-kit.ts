import { openStore, type RecordStore } from '../../store/index.ts';
import { TEST_KDF, tempDir } from '../../store/testing.ts';
import { parseKitConfig, type KitConfigInput } from '../../runtime/config.ts';
import { startKit, type KitHandle } from '../../runtime/kit.ts';
import { createLogger } from '../../runtime/log.ts';

const PASSPHRASE = 'tablet-test-passphrase';

/** A kit for browser tests: a real store in a temp dir, simulated instruments, a real socket. */
export interface TabletKit {
  readonly url: string;
  readonly port: number;
  kit: KitHandle;
  store: RecordStore;
  /** Stops the kit (server, instruments) and closes the store, as a power-off would. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (the tablet's origin stays the same). */
  start(): Promise<void>;
  /** Stops it for good and removes the data. */
  dispose(): Promise<void>;
}

/** Starts a kit on a free port (then keeps that port across restarts). */
export async function startTabletKit(sim: KitConfigInput['sim'] = {}): Promise<TabletKit> {
  const { dir, cleanup } = tempDir('fieldkit-tablet-');
  let port = 0;
  const boot = async () => {
    const store = await openStore({ path: dir, passphrase: PASSPHRASE, kdf: TEST_KDF });
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port },
      sim,
      utcOffsetMinutes: 180,
      reconnectDelayMs: 200,
      logLevel: 'silent',
    });
    const kit = await startKit(config, store, createLogger('silent'), 'test');
    port = kit.port;
    return { store, kit };
  };
  let running: { store: RecordStore; kit: KitHandle } | null = await boot();
  const handle: TabletKit = {
    get url() {
      return `http://localhost:${port}/`;
    },
    get port() {
      return port;
    },
    kit: running.kit,
    store: running.store,
    async stop() {
      if (!running) return;
      await running.kit.stop();
      await running.store.close();
      running = null;
    },
    async start() {
      if (running) return;
      running = await boot();
      handle.kit = running.kit;
      handle.store = running.store;
    },
    async dispose() {
      await handle.stop();
      cleanup();
    },
  };
  return handle;
}
