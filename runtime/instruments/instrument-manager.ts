import type { DriverContext, InstrumentDriver } from '../../ble-devices/drivers/driver.ts';
import { asDeviceId, type DiscoveredDevice, type Transport } from '../../ble-devices/transport.ts';
import type { InstrumentInput, InstrumentPatch, InstrumentRecord } from '../../store/schema/instrument.ts';
import type { KitEvent } from '../events.ts';
import type { LiveBus } from '../live-bus.ts';
import type { Logger } from '../log.ts';
import { InstrumentLink, type LinkTiming } from './instrument-link.ts';
import type { DiscoveredInstrument, InstrumentStatus } from './instrument-status.ts';
import type { ReadingSink } from './reading-gate.ts';

/** The part of the store the manager keeps remembered instruments in (RecordStore has it). */
export interface InstrumentStore {
  rememberInstrument(input: InstrumentInput): Promise<InstrumentRecord>;
  updateInstrument(id: string, patch: InstrumentPatch): Promise<InstrumentRecord>;
  listInstruments(): Promise<InstrumentRecord[]>;
  forgetInstrument(id: string): Promise<boolean>;
}

/** Options of the instrument manager (validated upstream by the kit config). */
export interface InstrumentManagerOptions {
  readonly transport: Transport;
  readonly drivers: readonly InstrumentDriver[];
  readonly sink: ReadingSink;
  readonly store: InstrumentStore;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  readonly context: DriverContext;
  /** First reconnection delay (doubles with jitter up to `maxReconnectDelayMs`, default 30 s). */
  readonly reconnectDelayMs: number;
  readonly maxReconnectDelayMs?: number;
  /** Least time between two GATT operations on one device (default 10 ms). */
  readonly gattSpacingMs?: number;
  /** Deadline of a connection attempt and of each GATT read/write (default 10 s). */
  readonly gattTimeoutMs?: number;
  /** Device clocks within this of the kit's are left alone (default 2 s). */
  readonly clockToleranceMs?: number;
  /** How soon changed bookkeeping is written to the store (default 1 s). */
  readonly flushMs?: number;
  /** How long a RACP transfer may stay silent before it is abandoned (default 30 s). */
  readonly racpIdleTimeoutMs?: number;
  readonly scanTimeoutMs?: number;
  /**
   * Remember every instrument a scan finds that a driver recognises (simulation: nobody is there
   * to pick them). Off, the tablet picks them through {@link InstrumentManager.remember}.
   */
  readonly autoRemember?: boolean;
  /** Random source for the reconnection jitter (tests). */
  readonly random?: () => number;
}

/** Typed failures of the manager's API, for the tablet's requests. */
export class InstrumentError extends Error {
  constructor(
    readonly code: 'unknown_device' | 'no_driver' | 'not_remembered' | 'stopped',
    message: string,
  ) {
    super(message);
    this.name = 'InstrumentError';
  }
}

/** What `remember` may be told beyond the address (all optional). */
export interface RememberOptions {
  /** Driver profile, when the device was not seen in a scan (e.g. `glucose`). */
  readonly profile?: string;
  readonly name?: string;
  /** Whether it was just bonded (the pairing flow knows); asked of the transport otherwise. */
  readonly bonded?: boolean;
}

/**
 * Keeps every remembered instrument connected and lets the tablet choose which ones those are:
 * scans list what is around (known and unknown), `remember` adds one (stored encrypted with its
 * identity and bookkeeping), `forget` removes it (and its bond). Each remembered instrument has
 * its own link loop (see {@link InstrumentLink}); status changes and counters go out on the bus.
 */
export class InstrumentManager {
  readonly #links = new Map<string, InstrumentLink>();
  readonly #seen = new Map<string, { device: DiscoveredDevice; at: Date }>();
  #serial: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: InstrumentManagerOptions) {}

  get #timing(): LinkTiming {
    const o = this.options;
    return {
      reconnectBaseMs: o.reconnectDelayMs,
      reconnectMaxMs: Math.max(o.reconnectDelayMs, o.maxReconnectDelayMs ?? 30_000),
      gattSpacingMs: o.gattSpacingMs ?? 10,
      gattTimeoutMs: o.gattTimeoutMs ?? 10_000,
      clockToleranceMs: o.clockToleranceMs ?? 2_000,
      flushMs: o.flushMs ?? 1_000,
      racpIdleTimeoutMs: o.racpIdleTimeoutMs ?? 30_000,
    };
  }

  /** Runs API calls that change the set of instruments one at a time. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#serial.then(fn, fn);
    this.#serial = next.catch(() => undefined);
    return next;
  }

  /** Loads the remembered instruments, connects them, and scans once for the rest. */
  async start(): Promise<void> {
    for (const record of await this.options.store.listInstruments()) {
      if (record.transport !== this.options.transport.kind) continue;
      this.#link(record);
    }
    try {
      await this.scan();
    } catch (err) {
      this.options.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'instrument scan failed',
      );
    }
  }

  #driverFor(device: DiscoveredDevice): InstrumentDriver | undefined {
    return this.options.drivers.find((d) => d.matches(device));
  }

  #link(record: InstrumentRecord): InstrumentLink | undefined {
    const driver = this.options.drivers.find((d) => d.profile === record.profile);
    if (!driver) {
      this.options.log.warn(
        { device: record.address, profile: record.profile },
        'no driver for remembered instrument',
      );
      return undefined;
    }
    const { transport, sink, bus, log, context, store } = this.options;
    const link = new InstrumentLink(record, {
      transport,
      driver,
      sink,
      bus,
      log,
      utcOffsetMinutes: context.utcOffsetMinutes,
      now: context.now,
      updateRecord: (id, patch) => store.updateInstrument(id, patch),
      timing: this.#timing,
      ...(this.options.random ? { random: this.options.random } : {}),
    });
    this.#links.set(record.address, link);
    link.start();
    return link;
  }

  /** Status of every remembered instrument, for the tablet and the CLI. */
  list(): InstrumentStatus[] {
    return [...this.#links.values()].map((l) => l.status);
  }

  /** Devices seen in scans that the kit does not remember, newest first. */
  discovered(): DiscoveredInstrument[] {
    return [...this.#seen.values()]
      .filter(({ device }) => !this.#links.has(device.id))
      .sort((a, b) => b.at.getTime() - a.at.getTime())
      .map(({ device, at }) => ({
        id: device.id,
        name: device.name,
        services: device.services,
        rssi: device.rssi ?? null,
        profile: this.#driverFor(device)?.profile ?? null,
        lastSeenAt: at.toISOString(),
      }));
  }

  /**
   * Scans once (the tablet's "search" button, and at start): returns the unknown instruments
   * around. With `autoRemember`, recognised ones are remembered on the spot.
   */
  async scan(timeoutMs = this.options.scanTimeoutMs ?? 5000): Promise<DiscoveredInstrument[]> {
    if (this.#stopped) throw new InstrumentError('stopped', 'the instrument manager is stopped');
    const devices = await this.options.transport.scan({ timeoutMs });
    const at = this.options.context.now();
    for (const device of devices) {
      this.#seen.set(device.id, { device, at });
      const driver = this.#driverFor(device);
      if (!driver)
        this.options.log.info({ device: device.id, name: device.name }, 'no driver for instrument');
      else if (this.options.autoRemember && !this.#links.has(device.id))
        await this.remember(device.id).catch((err: unknown) =>
          this.options.log.warn({ device: device.id, err: String(err) }, 'instrument not remembered'),
        );
    }
    return this.discovered();
  }

  /**
   * Remembers an instrument (seen in a scan, or named with its profile) and starts keeping it
   * connected. Remembering one already remembered returns its status.
   */
  remember(id: string, options: RememberOptions = {}): Promise<InstrumentStatus> {
    return this.#exclusive(async () => {
      if (this.#stopped) throw new InstrumentError('stopped', 'the instrument manager is stopped');
      const existing = this.#links.get(id);
      if (existing) return existing.status;
      const seen = this.#seen.get(id)?.device;
      const driver = options.profile
        ? this.options.drivers.find((d) => d.profile === options.profile)
        : seen && this.#driverFor(seen);
      if (!seen && !options.profile)
        throw new InstrumentError('unknown_device', `no instrument ${id} seen in a scan`);
      if (!driver)
        throw new InstrumentError(
          'no_driver',
          `no driver for ${id}${options.profile ? ` (${options.profile})` : ''}`,
        );
      const { transport } = this.options;
      const bonded =
        options.bonded ??
        (transport.pairing ? await transport.pairing.isBonded(asDeviceId(id)).catch(() => false) : false);
      const record = await this.options.store.rememberInstrument({
        address: id,
        transport: transport.kind,
        name: options.name ?? seen?.name ?? id,
        profile: driver.profile,
        bonded,
      });
      const link = this.#link(record);
      this.options.log.info({ device: id, profile: driver.profile }, 'instrument remembered');
      return link!.status;
    });
  }

  /**
   * Forgets an instrument: stops its link, removes it from the store and, unless told otherwise,
   * removes the bond on the kit's side. False when it was not remembered.
   */
  forget(id: string, options: { readonly removeBond?: boolean } = {}): Promise<boolean> {
    return this.#exclusive(async () => {
      const link = this.#links.get(id);
      if (!link) return false;
      this.#links.delete(id);
      await link.stop();
      await this.options.store.forgetInstrument(link.record.id);
      const pairing = this.options.transport.pairing;
      if (pairing && options.removeBond !== false && link.status.bonded)
        await pairing
          .removeBond(asDeviceId(link.record.address))
          .catch((err: unknown) =>
            this.options.log.warn({ device: id, err: String(err) }, 'bond not removed'),
          );
      this.options.bus.publish({ type: 'instrument', status: { ...link.status, state: 'disconnected' } });
      this.options.log.info({ device: id }, 'instrument forgotten');
      return true;
    });
  }

  /** Disconnects everything, waits for stored readings and writes every instrument's bookkeeping. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#serial;
    await Promise.allSettled([...this.#links.values()].map((l) => l.stop()));
  }
}
