import {
  TransportError,
  asDeviceId,
  type DeviceId,
  type DiscoveredDevice,
  type GattConnection,
  type SubscribeMode,
  type Transport,
  type Unsubscribe,
} from '../../ble-devices/transport.ts';
import type { SimPeripheral } from '../gatt/sim-peripheral.ts';
import { OpQueue } from '../../ble-devices/transports/op-queue.ts';

/** Largest value a simulated write accepts: the default ATT MTU payload. */
const MAX_WRITE = 20;

function abortable(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
}

class SimConnection implements GattConnection {
  readonly #queue = new OpQueue();
  readonly #subs = new Set<() => void>();
  #open = true;
  readonly #offDetach: () => void;

  constructor(
    readonly id: DeviceId,
    readonly peripheral: SimPeripheral,
  ) {
    this.#offDetach = peripheral.onDetach(() => this.#close());
  }

  /** Marks the link dead and drops its hold on the peripheral (no listener outlives its link). */
  #close(): void {
    this.#open = false;
    this.#offDetach();
  }

  #live(): void {
    if (!this.#open || !this.peripheral.connected)
      throw new TransportError('not_connected', `${this.id} is not connected`);
  }

  #wrap<T>(op: () => T): T {
    try {
      return op();
    } catch (err) {
      if (err instanceof TransportError) throw err;
      const msg = (err as Error).message;
      throw new TransportError(
        msg.startsWith('no characteristic') ? 'no_such_characteristic' : 'not_permitted',
        msg,
      );
    }
  }

  read(service: string, characteristic: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#queue.run(() => {
      abortable(signal);
      this.#live();
      return this.#wrap(() => this.peripheral.read(service, characteristic));
    });
  }

  write(service: string, characteristic: string, value: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.#queue.run(() => {
      abortable(signal);
      this.#live();
      if (value.byteLength > MAX_WRITE)
        throw new TransportError('value_too_long', `${value.byteLength} > ${MAX_WRITE} bytes`);
      this.#wrap(() => this.peripheral.write(service, characteristic, value));
    });
  }

  subscribe(
    service: string,
    characteristic: string,
    mode: SubscribeMode,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    return this.#queue.run(() => {
      this.#live();
      // Deliver asynchronously, like a radio: a slow handler never blocks the simulator's timer.
      const off = this.#wrap(() =>
        this.peripheral.subscribe(service, characteristic, mode, (v) => setImmediate(() => onValue(v))),
      );
      this.#subs.add(off);
      return () => {
        off();
        this.#subs.delete(off);
        return Promise.resolve();
      };
    });
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    return this.peripheral.onDetach(listener);
  }

  disconnect(): Promise<void> {
    return this.#queue.run(() => {
      for (const off of this.#subs) off();
      this.#subs.clear();
      if (!this.#open) return;
      this.#close();
      this.peripheral.detach('collector disconnected');
    });
  }
}

/**
 * The simulator behind the same {@link Transport} interface real radios implement: scans list the
 * simulated instruments, connects attach to them. Used by `fieldkit start` (the default) and tests.
 */
export class SimTransport implements Transport {
  readonly kind = 'sim' as const;
  readonly #peripherals = new Map<string, SimPeripheral>();
  #closed = false;

  constructor(peripherals: readonly SimPeripheral[]) {
    for (const p of peripherals) this.#peripherals.set(p.id, p);
  }

  async scan(options: {
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
  }): Promise<DiscoveredDevice[]> {
    await Promise.resolve();
    abortable(options.signal);
    if (this.#closed) throw new TransportError('unavailable', 'transport closed');
    return [...this.#peripherals.values()].map((p) => ({
      id: asDeviceId(p.id),
      name: p.name,
      services: p.services,
      rssi: -50,
    }));
  }

  async connect(id: DeviceId, signal?: AbortSignal): Promise<GattConnection> {
    await Promise.resolve();
    abortable(signal);
    if (this.#closed) throw new TransportError('unavailable', 'transport closed');
    const p = this.#peripherals.get(id);
    if (!p) throw new TransportError('not_found', `no simulated instrument ${id}`);
    if (p.connected) p.detach('replaced by a new connection');
    p.attach();
    return new SimConnection(id, p);
  }

  close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#peripherals.values()) p.detach('transport closed');
    return Promise.resolve();
  }
}
