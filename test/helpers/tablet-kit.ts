import { openStore, type RecordStore } from '../../store/index.ts';
import { TEST_KDF, tempDir } from '../../store/testing.ts';
import { parseKitConfig, type KitConfigInput } from '../../runtime/config.ts';
import { startKit, type KitHandle, type KitLinkSetup } from '../../runtime/kit.ts';
import type { Transport } from '../../ble-devices/transport.ts';
import { createLogger } from '../../runtime/log.ts';
import { KitClient, pairTablet } from './kit-client.ts';
import { kitFetch } from './kit-fetch.ts';

const PASSPHRASE = 'tablet-test-passphrase';

/**
 * A kit for browser tests: a real store in a temp dir, simulated instruments, the kit's real
 * HTTPS (its own CA, which the test tablets trust) and a feldsher tablet paired for the test's
 * own requests.
 */
export interface TabletKit {
  /** `https://localhost:<port>/`: the tablet app. */
  readonly url: string;
  /** The kit CA's root certificate (PEM), for the tablets' trust store. */
  readonly caPem: string;
  kit: KitHandle;
  store: RecordStore;
  /** `fetch` to the kit as a paired feldsher tablet (over HTTPS trusting the kit's CA). */
  readonly fetch: typeof fetch;
  /** The bearer token of that tablet. */
  readonly token: string;
  /** A fresh one-time pairing code for a tablet in the browser. */
  pairingCode(role?: 'feldsher' | 'doctor' | 'coordinator'): Promise<string>;
  /** Stops the kit (servers, instruments) and closes the store, as a power-off would. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data directory (the tablet's origin stays the same). */
  start(): Promise<void>;
  /** Stops it for good and removes the data. */
  dispose(): Promise<void>;
}

/** What a test may give the kit beyond the simulated instruments (see {@link startTabletKit}). */
export interface TabletKitOptions {
  /** The instrument transport (e.g. node-ble on a simulated BlueZ) instead of the simulation. */
  readonly transport?: Transport;
  /** Config fields to override (e.g. `autoRemember: false`, as with a real radio). */
  readonly config?: Partial<Omit<KitConfigInput, 'dataDir' | 'http' | 'sim'>>;
  /** The link to the specialists (a hub and a simulated specialist, see test/helpers/link-world.ts). */
  readonly link?: (store: RecordStore) => Promise<KitLinkSetup>;
}

/** Starts a kit on free ports (then keeps them across restarts) and pairs a tablet for the test. */
export async function startTabletKit(
  sim: KitConfigInput['sim'] = {},
  options: TabletKitOptions = {},
): Promise<TabletKit> {
  const { dir, cleanup } = tempDir('fieldkit-tablet-');
  let httpsPort = 0;
  let httpPort = 0;
  const boot = async () => {
    const store = await openStore({ path: dir, passphrase: PASSPHRASE, kdf: TEST_KDF });
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: httpPort, httpsPort },
      sim,
      utcOffsetMinutes: 180,
      reconnectDelayMs: 200,
      logLevel: 'silent',
      ...options.config,
    });
    const link = options.link ? await options.link(store) : undefined;
    const kit = await startKit(config, store, createLogger('silent'), 'test', {
      ...(options.transport ? { transport: options.transport } : {}),
      ...(link ? { link } : {}),
    });
    httpsPort = kit.httpsPort;
    httpPort = kit.httpPort;
    return { store, kit };
  };
  let running: { store: RecordStore; kit: KitHandle } | null = await boot();
  const url = `https://localhost:${httpsPort}/`;
  const client = new KitClient(url, running.kit.caPem);
  const token = await pairTablet(client, running.store, 'feldsher', 'test tablet');
  const handle: TabletKit = {
    url,
    caPem: running.kit.caPem,
    kit: running.kit,
    store: running.store,
    fetch: kitFetch(client, () => token),
    token,
    async pairingCode(role = 'feldsher') {
      if (!running) throw new Error('the kit is stopped');
      return (await running.store.createPairingCode({ role, createdBy: 'test' })).code;
    },
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
