import type { DriverContext, DriverSink, InstrumentDriver } from '../../ble-devices/drivers/driver.ts';
import type { DiscoveredDevice, Transport } from '../../ble-devices/transport.ts';
import type { KitEvent } from '../events.ts';
import type { LiveBus } from '../live-bus.ts';
import type { Logger } from '../log.ts';
import type { InstrumentStatus } from './instrument-status.ts';

/** Options of the instrument manager (validated upstream by the kit config). */
export interface InstrumentManagerOptions {
  readonly transport: Transport;
  readonly drivers: readonly InstrumentDriver[];
  readonly sink: DriverSink;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  readonly context: DriverContext;
  readonly reconnectDelayMs: number;
  readonly scanTimeoutMs?: number;
}

/**
 * Keeps every known instrument connected: scans, picks a driver by advertised service, connects,
 * subscribes, and reconnects after link loss. Status changes are published for the tablets.
 */
export class InstrumentManager {
  readonly #status = new Map<string, InstrumentStatus>();
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];

  constructor(private readonly options: InstrumentManagerOptions) {}

  /** Current status of every instrument, for the HTTP API. */
  list(): InstrumentStatus[] {
    return [...this.#status.values()];
  }

  #update(id: string, patch: Partial<InstrumentStatus>): void {
    const prev = this.#status.get(id);
    if (!prev) return;
    const next = { ...prev, ...patch };
    this.#status.set(id, next);
    this.options.bus.publish({ type: 'instrument', status: next });
  }

  /** Scans once and starts a connection loop per recognised instrument. */
  async start(): Promise<void> {
    const devices = await this.options.transport.scan({
      timeoutMs: this.options.scanTimeoutMs ?? 5000,
      signal: this.#abort.signal,
    });
    for (const device of devices) {
      const driver = this.options.drivers.find((d) => d.matches(device));
      if (!driver) {
        this.options.log.info({ device: device.id, name: device.name }, 'no driver for instrument, ignored');
        continue;
      }
      this.#status.set(device.id, {
        id: device.id,
        name: device.name,
        profile: driver.profile,
        transport: this.options.transport.kind,
        state: 'connecting',
        readings: 0,
        dropped: 0,
        lastReadingAt: null,
        lastError: null,
      });
      this.#loops.push(this.#keepConnected(device, driver));
    }
  }

  #countingSink(id: string): DriverSink {
    const { sink } = this.options;
    return {
      reading: (r) => {
        const s = this.#status.get(id);
        if (s)
          this.#status.set(id, { ...s, readings: s.readings + 1, lastReadingAt: r.receivedAt.toISOString() });
        sink.reading(r);
      },
      dropped: (f) => {
        const s = this.#status.get(id);
        if (s) this.#update(id, { dropped: s.dropped + 1, lastError: f.error.message });
        sink.dropped(f);
      },
      // ECG samples pass straight through to the strip recorder; they are not readings.
      waveform: (c) => sink.waveform?.(c),
    };
  }

  async #keepConnected(device: DiscoveredDevice, driver: InstrumentDriver): Promise<void> {
    const { transport, log, context, reconnectDelayMs } = this.options;
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      this.#update(device.id, { state: 'connecting' });
      try {
        const conn = await transport.connect(device.id, signal);
        let offLost = (): void => undefined;
        let onAbort = (): void => undefined;
        try {
          const lost = new Promise<string>((resolve) => {
            offLost = conn.onDisconnect(resolve);
            onAbort = () => resolve('kit stopping');
            signal.addEventListener('abort', onAbort, { once: true });
          });
          await driver.start(conn, device, this.#countingSink(device.id), context);
          this.#update(device.id, { state: 'connected', lastError: null });
          log.info({ device: device.id, profile: driver.profile }, 'instrument connected');
          const reason = await lost;
          if (!signal.aborted) {
            log.warn({ device: device.id, reason }, 'instrument link lost');
            this.#update(device.id, { state: 'disconnected', lastError: reason });
          }
        } finally {
          // Whatever ended this link (loss, stop, a failed subscription), release it and its listeners.
          offLost();
          signal.removeEventListener('abort', onAbort);
          await conn.disconnect().catch(() => undefined);
        }
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        log.warn({ device: device.id, err: message }, 'instrument connection failed');
        this.#update(device.id, { state: 'disconnected', lastError: message });
      }
      if (signal.aborted) break;
      await new Promise((r) => setTimeout(r, reconnectDelayMs));
    }
    this.#update(device.id, { state: 'disconnected' });
  }

  /** Disconnects everything and waits for the loops to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled(this.#loops);
  }
}
