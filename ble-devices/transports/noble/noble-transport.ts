import {
  TransportError,
  asDeviceId,
  type DeviceId,
  type DiscoveredDevice,
  type GattConnection,
  type Transport,
} from '../../transport.ts';
import { loadNoble, type NobleImporter } from './load-noble.ts';
import type { NobleLike, NoblePeripheral } from './noble-api.ts';
import { NobleConnection, fromNobleUuid, withDeadline } from './noble-connection.ts';

/** Options of the noble transport. */
export interface NobleTransportOptions {
  /** Bound on every GATT operation (read, write, subscribe, discovery). Default 10 s. */
  readonly opTimeoutMs?: number;
  /** Bound on a connection attempt. Default 15 s. */
  readonly connectTimeoutMs?: number;
  /** How long to wait for the adapter to report poweredOn. Default 3 s. */
  readonly powerOnTimeoutMs?: number;
  /** Connecting to a device no scan has seen first scans this long for it (noble connects only to seen devices). Default 5 s. */
  readonly findTimeoutMs?: number;
}

/** Whether noble runs here: a state the instrument manager reports, never a crash. */
export type NobleAvailability =
  | { readonly state: 'available'; readonly transport: NobleTransport }
  | { readonly state: 'unavailable'; readonly error: TransportError };

function adapterState(noble: NobleLike): string {
  // Reading `state` starts noble's bindings; a failing adapter may throw right here.
  try {
    return noble.state;
  } catch (err) {
    return `failed (${(err as Error).message})`;
  }
}

async function poweredOn(noble: NobleLike, ms: number): Promise<string> {
  const now = adapterState(noble);
  if (now === 'poweredOn') return now;
  return new Promise((resolve) => {
    const done = (state: string): void => {
      clearTimeout(timer);
      noble.removeListener('stateChange', onChange);
      resolve(state);
    };
    const onChange = (state: string): void => {
      if (state === 'poweredOn' || state === 'unsupported' || state === 'unauthorized') done(state);
    };
    const timer = setTimeout(() => done(adapterState(noble)), ms);
    noble.on('stateChange', onChange);
  });
}

/**
 * Opens noble: loads it inside try/catch (it throws at load without kernel Bluetooth) and waits
 * for the adapter. Anything short of a powered-on adapter is `unavailable` with the cause.
 */
export async function openNobleTransport(
  options: NobleTransportOptions = {},
  importer?: NobleImporter,
): Promise<NobleAvailability> {
  const loaded = await loadNoble(importer);
  if (!loaded.ok) return { state: 'unavailable', error: loaded.error };
  const state = await poweredOn(loaded.noble, options.powerOnTimeoutMs ?? 3000);
  if (state !== 'poweredOn') {
    return {
      state: 'unavailable',
      error: new TransportError('unavailable', `Bluetooth adapter is ${state}`),
    };
  }
  return { state: 'available', transport: new NobleTransport(loaded.noble, options) };
}

/**
 * BLE through @abandonware/noble (HCI socket), behind the {@link Transport} interface. noble
 * cannot bond ("Just Works" only, no stored keys), so this transport has no `pairing`: cuffs and
 * meters that need a bond must go through BlueZ. Every await is bounded by a timeout and honours
 * an AbortSignal; listeners are registered once per characteristic and removed with the link.
 */
export class NobleTransport implements Transport {
  readonly kind = 'noble' as const;
  readonly #seen = new Map<string, NoblePeripheral>();
  readonly #connections = new Set<NobleConnection>();
  readonly #opMs: number;
  readonly #connectMs: number;
  readonly #findMs: number;
  #closed = false;

  constructor(
    private readonly noble: NobleLike,
    options: NobleTransportOptions = {},
  ) {
    this.#opMs = options.opTimeoutMs ?? 10_000;
    this.#connectMs = options.connectTimeoutMs ?? 15_000;
    this.#findMs = options.findTimeoutMs ?? 5000;
  }

  /** Scans until `id` shows up (or the deadline): noble connects only to peripherals it has seen. */
  async #find(id: string, signal?: AbortSignal): Promise<NoblePeripheral | undefined> {
    let onDiscover: (p: NoblePeripheral) => void = () => undefined;
    let onAbort = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<NoblePeripheral | undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.#findMs);
      onDiscover = (p) => {
        this.#seen.set(p.id, p);
        if (p.id === id) resolve(p);
      };
      onAbort = () => resolve(undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    this.noble.on('discover', onDiscover);
    try {
      await withDeadline(this.noble.startScanningAsync([], false), this.#opMs, signal, 'start scanning');
      return await seen;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.noble.removeListener('discover', onDiscover);
      await withDeadline(this.noble.stopScanningAsync(), this.#opMs, undefined, 'stop scanning').catch(
        () => undefined,
      );
    }
  }

  #usable(): void {
    if (this.#closed) throw new TransportError('unavailable', 'transport closed');
    const state = adapterState(this.noble);
    if (state !== 'poweredOn') throw new TransportError('unavailable', `Bluetooth adapter is ${state}`);
  }

  async scan(options: {
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
  }): Promise<DiscoveredDevice[]> {
    if (options.signal?.aborted) throw new TransportError('aborted', 'scan aborted');
    this.#usable();
    const found = new Map<string, NoblePeripheral>();
    const onDiscover = (p: NoblePeripheral): void => {
      found.set(p.id, p);
      this.#seen.set(p.id, p);
    };
    this.noble.on('discover', onDiscover);
    try {
      await withDeadline(
        this.noble.startScanningAsync([], false),
        this.#opMs,
        options.signal,
        'start scanning',
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(finish, options.timeoutMs);
        function finish(): void {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', finish);
          resolve();
        }
        options.signal?.addEventListener('abort', finish, { once: true });
      });
    } finally {
      this.noble.removeListener('discover', onDiscover);
      await withDeadline(this.noble.stopScanningAsync(), this.#opMs, undefined, 'stop scanning').catch(
        () => undefined,
      );
    }
    if (options.signal?.aborted) throw new TransportError('aborted', 'scan aborted');
    return [...found.values()].map((p) => ({
      id: asDeviceId(p.id),
      name: p.advertisement.localName || p.id,
      services: p.advertisement.serviceUuids.map(fromNobleUuid),
      rssi: p.rssi,
    }));
  }

  async connect(id: DeviceId, signal?: AbortSignal): Promise<GattConnection> {
    await Promise.resolve();
    if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
    this.#usable();
    const p = this.#seen.get(id) ?? (await this.#find(id, signal));
    if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
    if (!p) throw new TransportError('not_found', `no BLE device ${id} in range`);
    try {
      await withDeadline(p.connectAsync(), this.#connectMs, signal, `connect to ${id}`);
      const { services } = await withDeadline(
        p.discoverAllServicesAndCharacteristicsAsync(),
        this.#opMs,
        signal,
        `discover services of ${id}`,
      );
      const conn = new NobleConnection(asDeviceId(id), p, services, this.#opMs);
      this.#connections.add(conn);
      conn.onDisconnect(() => this.#connections.delete(conn));
      return conn;
    } catch (err) {
      // A half-made link (timed out, aborted, discovery failed) is torn down, never left dangling.
      await withDeadline(p.disconnectAsync(), this.#opMs, undefined, 'disconnect').catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#connections].map((c) => c.disconnect()));
  }
}
