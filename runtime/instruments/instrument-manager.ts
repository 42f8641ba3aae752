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
  /** The one transport (BLE or simulation), when the kit drives one. */
  readonly transport?: Transport;
  /**
   * Several transports at once (BLE and serial cables): scans ask all of them, each remembered
   * instrument is reached through the transport of its kind. With `transport`, both are used.
   */
  readonly transports?: readonly Transport[];
  readonly drivers: readonly InstrumentDriver[];
  readonly sink: ReadingSink;
  readonly store: InstrumentStore;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  readonly context: DriverContext;
  /**
   * The second reconnection delay; later ones double with jitter up to `maxReconnectDelayMs`
   * (default 30 s). The first retry after a link that worked is `firstReconnectDelayMs`.
   */
  readonly reconnectDelayMs: number;
  /** The first retry after a link that worked (default 500 ms, never above `reconnectDelayMs`). */
  readonly firstReconnectDelayMs?: number;
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
   * to pick them; a USB cable plugged in is the choice). Off, the tablet picks them through
   * {@link InstrumentManager.remember}. A list of transport kinds limits it to those (serial
   * cables yes, the neighbouring brigade's BLE cuff no).
   */
  readonly autoRemember?: boolean | readonly Transport['kind'][];
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
  /** The transport to reach it by, when it was not seen in a scan (default: the first one). */
  readonly transport?: Transport['kind'];
}

/**
 * Keeps every remembered instrument connected and lets the tablet choose which ones those are:
 * scans list what is around (known and unknown), `remember` adds one (stored encrypted with its
 * identity and bookkeeping), `forget` removes it (and its bond). Each remembered instrument has
 * its own link loop (see {@link InstrumentLink}); status changes and counters go out on the bus.
 */
export class InstrumentManager {
  readonly #links = new Map<string, InstrumentLink>();
  readonly #seen = new Map<string, { device: DiscoveredDevice; at: Date; transport: Transport }>();
  readonly #transports: readonly Transport[];
  #serial: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: InstrumentManagerOptions) {
    const all = [...(options.transport ? [options.transport] : []), ...(options.transports ?? [])];
    this.#transports = all.filter((t, i) => all.indexOf(t) === i);
    if (this.#transports.length === 0) throw new TypeError('the instrument manager needs a transport');
    const kinds = this.#transports.map((t) => t.kind);
    if (new Set(kinds).size !== kinds.length)
      throw new TypeError(`one transport per kind (given: ${kinds.join(', ')})`);
  }

  /** The transport of a kind, if the kit drives one. */
  #transportOf(kind: string): Transport | undefined {
    return this.#transports.find((t) => t.kind === kind);
  }

  get #timing(): LinkTiming {
    const o = this.options;
    return {
      reconnectFirstMs: Math.min(o.firstReconnectDelayMs ?? 500, o.reconnectDelayMs),
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
      // Instruments on a transport this kit does not drive now wait for a run that does.
      if (this.#transportOf(record.transport)) this.#link(record);
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

  #autoRemembers(transport: Transport): boolean {
    const auto = this.options.autoRemember ?? false;
    return typeof auto === 'boolean' ? auto : auto.includes(transport.kind);
  }

  #driverFor(device: DiscoveredDevice): InstrumentDriver | undefined {
    return this.options.drivers.find((d) => d.matches(device));
  }

  #link(record: InstrumentRecord): InstrumentLink | undefined {
    const driver = this.options.drivers.find((d) => d.profile === record.profile);
    const transport = this.#transportOf(record.transport);
    if (!transport) return undefined;
    if (!driver) {
      this.options.log.warn(
        { device: record.address, profile: record.profile },
        'no driver for remembered instrument',
      );
      return undefined;
    }
    const { sink, bus, log, context, store } = this.options;
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
      .map(({ device, at, transport }) => ({
        id: device.id,
        name: device.name,
        services: device.services,
        rssi: device.rssi ?? null,
        transport: transport.kind,
        profile: this.#driverFor(device)?.profile ?? null,
        lastSeenAt: at.toISOString(),
      }));
  }

  /**
   * Scans once (the tablet's "search" button, and at start): returns the unknown instruments
   * around. With `autoRemember`, recognised ones are remembered on the spot.
   */
  async scan(timeoutMs = this.options.scanTimeoutMs ?? 5000): Promise<DiscoveredInstrument[]> {
    return this.#scanOn(this.#transports, timeoutMs);
  }

  /**
   * Scans the transports of one kind only: a USB port appeared (the kit's hotplug watcher), and
   * the radio need not be disturbed.
   */
  async rescan(kind: Transport['kind'], timeoutMs = 5000): Promise<DiscoveredInstrument[]> {
    const transport = this.#transportOf(kind);
    return transport ? this.#scanOn([transport], timeoutMs) : this.discovered();
  }

  async #scanOn(transports: readonly Transport[], timeoutMs: number): Promise<DiscoveredInstrument[]> {
    if (this.#stopped) throw new InstrumentError('stopped', 'the instrument manager is stopped');
    const results = await Promise.allSettled(transports.map((t) => t.scan({ timeoutMs })));
    const found: Array<{ device: DiscoveredDevice; transport: Transport }> = [];
    results.forEach((r, i) => {
      const transport = transports[i]!;
      if (r.status === 'fulfilled') for (const device of r.value) found.push({ device, transport });
      else
        this.options.log.warn(
          { transport: transport.kind, err: r.reason instanceof Error ? r.reason.message : String(r.reason) },
          'instrument scan failed on one transport',
        );
    });
    // Only when every transport failed is the scan itself a failure.
    const first = results[0];
    if (first?.status === 'rejected' && results.every((r) => r.status === 'rejected')) throw first.reason;
    const at = this.options.context.now();
    for (const { device, transport } of found) {
      this.#seen.set(device.id, { device, at, transport });
      const driver = this.#driverFor(device);
      if (!driver)
        this.options.log.info({ device: device.id, name: device.name }, 'no driver for instrument');
      else if (this.#autoRemembers(transport) && !this.#links.has(device.id))
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
      const sighting = this.#seen.get(id);
      const seen = sighting?.device;
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
      const transport =
        sighting?.transport ?? this.#transportOf(options.transport ?? this.#transports[0]!.kind);
      if (!transport)
        throw new InstrumentError('unknown_device', `no ${options.transport ?? ''} transport for ${id}`);
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
      const pairing = this.#transportOf(link.record.transport)?.pairing;
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
