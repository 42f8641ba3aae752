import type { DriverSession, InstrumentDriver } from '../../ble-devices/drivers/driver.ts';
import {
  followBatteryLevel,
  readBatteryLevel,
  readDeviceInformation,
} from '../../ble-devices/drivers/device-services.ts';
import {
  TransportError,
  asDeviceId,
  type DiscoveredDevice,
  type Transport,
} from '../../ble-devices/transport.ts';
import type { InstrumentPatch, InstrumentRecord } from '../../store/schema/instrument.ts';
import type { KitEvent } from '../events.ts';
import type { LiveBus } from '../live-bus.ts';
import type { Logger } from '../log.ts';
import { Backoff } from './backoff.ts';
import { checkClock, clockCorrection, type ClockCheck } from './clock.ts';
import type { InstrumentStatus } from './instrument-status.ts';
import { PacedConnection } from './paced-connection.ts';
import { ReadingGate, type ReadingSink } from './reading-gate.ts';
import { downloadNewRecords } from './record-download.ts';

/** Timings of an instrument's link; the manager fills them from the kit config. */
export interface LinkTiming {
  /** The first retry after a link that worked (jittered; see reconnectDelay in backoff.ts). */
  readonly reconnectFirstMs: number;
  /** The second retry; later ones double (with jitter) up to `reconnectMaxMs`. */
  readonly reconnectBaseMs: number;
  readonly reconnectMaxMs: number;
  /** Least time between two GATT operations on one device. */
  readonly gattSpacingMs: number;
  /** Deadline of one GATT read or write (and of the connection itself). */
  readonly gattTimeoutMs: number;
  /** Device clocks within this of the kit's are left alone. */
  readonly clockToleranceMs: number;
  /** How soon changed bookkeeping (last sequence, battery...) is written to the store. */
  readonly flushMs: number;
  /** How long a RACP transfer may stay silent before it is abandoned. */
  readonly racpIdleTimeoutMs: number;
}

/** What a link needs from the rest of the kit. */
export interface LinkDeps {
  readonly transport: Transport;
  readonly driver: InstrumentDriver;
  readonly sink: ReadingSink;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  readonly utcOffsetMinutes: number;
  readonly now: () => Date;
  readonly updateRecord: (id: string, patch: InstrumentPatch) => Promise<unknown>;
  readonly timing: LinkTiming;
  readonly random?: () => number;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Keeps one remembered instrument connected for as long as the kit remembers it: connect (with a
 * deadline), read Device Information once, battery, check and set the clock, start the driver,
 * download stored records newer than the last one stored, then wait for the link to drop and come
 * back after a backoff with jitter. Every GATT operation goes through one paced queue. Bookkeeping
 * (last sequence number, dedupe fingerprints, battery, last seen) is written back to the store
 * soon after it changes and at once after a download.
 */
export class InstrumentLink {
  status: InstrumentStatus;
  readonly gate: ReadingGate;
  readonly #abort = new AbortController();
  readonly #backoff: Backoff;
  #loop: Promise<void> | null = null;
  #dirty: InstrumentPatch = {};
  #flushTimer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #infoRead = false;

  constructor(
    readonly record: InstrumentRecord,
    private readonly deps: LinkDeps,
  ) {
    this.status = {
      id: record.address,
      name: record.name,
      profile: record.profile,
      transport: record.transport,
      state: 'disconnected',
      readings: 0,
      dropped: 0,
      reconnects: 0,
      duplicates: 0,
      lastReadingAt: null,
      lastError: null,
      model: record.model,
      serial: record.serial,
      firmware: record.firmware,
      bonded: record.bonded,
      battery: record.battery,
      clockOffsetMs: record.clockOffsetMs,
      clockSet: false,
      lastSequence: record.lastSequence,
      download: null,
      lastSeenAt: record.lastSeenAt,
    };
    this.#backoff = new Backoff({
      firstMs: deps.timing.reconnectFirstMs,
      baseMs: deps.timing.reconnectBaseMs,
      maxMs: deps.timing.reconnectMaxMs,
      ...(deps.random ? { random: deps.random } : {}),
    });
    this.gate = new ReadingGate(
      deps.sink,
      {
        reading: (r) => {
          this.status = {
            ...this.status,
            readings: this.status.readings + 1,
            lastReadingAt: r.receivedAt.toISOString(),
          };
        },
        dropped: (f) => this.#update({ dropped: this.status.dropped + 1, lastError: f.error.message }),
        duplicate: () => this.#update({ duplicates: this.status.duplicates + 1 }),
        changed: () => {
          const { lastSequence, recent } = this.gate.deduper;
          if (lastSequence !== this.status.lastSequence) this.#update({ lastSequence });
          this.#persist({ lastSequence, recentReadings: [...recent] });
        },
      },
      {
        serial: record.serial,
        lastSequence: record.lastSequence,
        recent: record.recentReadings,
        ...(deps.driver.numbered ? { numbered: deps.driver.numbered } : {}),
      },
    );
  }

  #update(patch: Partial<InstrumentStatus>): void {
    this.status = { ...this.status, ...patch };
    this.deps.bus.publish({ type: 'instrument', status: this.status });
  }

  /** Queues bookkeeping for the store; written after `flushMs` (or now with `flush()`). */
  #persist(patch: InstrumentPatch): void {
    this.#dirty = { ...this.#dirty, ...patch };
    this.#flushTimer ??= setTimeout(() => void this.flush(), this.deps.timing.flushMs);
  }

  /** Writes pending bookkeeping now; one write at a time, errors logged (never lost silently). */
  flush(): Promise<void> {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#flushing = this.#flushing.then(async () => {
      const patch = this.#dirty;
      if (Object.keys(patch).length === 0) return;
      this.#dirty = {};
      try {
        await this.deps.updateRecord(this.record.id, patch);
      } catch (err) {
        this.deps.log.warn(
          { device: this.record.address, err: message(err) },
          'instrument bookkeeping not saved',
        );
      }
    });
    return this.#flushing;
  }

  /** Starts the keep-connected loop. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Ends the loop (disconnecting), waits for stored readings, and writes the bookkeeping. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.gate.settled();
    await this.flush();
  }

  get #device(): DiscoveredDevice {
    return {
      id: asDeviceId(this.record.address),
      name: this.record.name,
      services: [this.deps.driver.service],
    };
  }

  async #run(): Promise<void> {
    const { log } = this.deps;
    const signal = this.#abort.signal;
    let connectedBefore = false;
    while (!signal.aborted) {
      this.#update({ state: 'connecting' });
      let reason: string;
      try {
        const raw = await this.deps.transport.connect(
          asDeviceId(this.record.address),
          AbortSignal.any([signal, AbortSignal.timeout(this.deps.timing.gattTimeoutMs)]),
        );
        if (connectedBefore) this.#update({ reconnects: this.status.reconnects + 1 });
        connectedBefore = true;
        reason = await this.#session(
          new PacedConnection(raw, this.deps.timing.gattSpacingMs, this.deps.timing.gattTimeoutMs),
        );
      } catch (err) {
        reason = message(err);
        log.warn({ device: this.record.address, err: reason }, 'instrument connection failed');
      }
      if (signal.aborted) break;
      this.#update({ state: 'disconnected', lastError: reason, download: null });
      const delay = this.#backoff.next();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, delay);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
    }
    this.#update({ state: 'disconnected', download: null });
  }

  /** One connection, from setup to loss; returns why it ended. */
  async #session(conn: PacedConnection): Promise<string> {
    const { log, driver, utcOffsetMinutes, now } = this.deps;
    const signal = this.#abort.signal;
    let offLost = (): void => undefined;
    let onAbort = (): void => undefined;
    const lost = new Promise<string>((resolve) => {
      offLost = conn.onDisconnect(resolve);
      onAbort = () => resolve('kit stopping');
      signal.addEventListener('abort', onAbort, { once: true });
    });
    // A drop or a stop during setup ends the session at once instead of waiting on a dead link.
    const orLost = <T>(p: Promise<T>): Promise<T> =>
      Promise.race([p, lost.then((r) => Promise.reject(new TransportError('not_connected', r)))]);
    try {
      // Identity, battery and clock help but are not the measurement: an instrument that refuses
      // them (encrypted Current Time before bonding, a read that times out) still gets its driver.
      await this.#optional('bond state', orLost(this.#bondState()));
      await this.#optional('device information', orLost(this.#identify(conn, signal)));
      const battery = await this.#optional('battery', orLost(readBatteryLevel(conn, signal)));
      if (battery) this.#battery(battery);
      await this.#optional(
        'battery notifications',
        orLost(followBatteryLevel(conn, (l) => this.#battery(l))),
      );
      const clock =
        (await this.#optional(
          'clock',
          orLost(
            checkClock(conn, {
              utcOffsetMinutes,
              now,
              toleranceMs: this.deps.timing.clockToleranceMs,
              signal,
            }),
          ),
        )) ?? null;
      if (clock) this.#clock(clock);
      const session = await orLost(
        driver.start(conn, this.#device, this.gate, {
          utcOffsetMinutes,
          now,
          clockOffsetFor: clockCorrection(clock),
        }),
      );
      this.#backoff.reset();
      this.#update({ state: 'connected', lastError: null, lastSeenAt: now().toISOString() });
      this.#persist({ lastSeenAt: now().toISOString() });
      log.info({ device: this.record.address, profile: driver.profile }, 'instrument connected');
      if (session?.download) await orLost(this.#download(session, signal));
      const reason = await lost;
      if (!signal.aborted) log.warn({ device: this.record.address, reason }, 'instrument link lost');
      return reason;
    } catch (err) {
      const reason = message(err);
      if (!signal.aborted) log.warn({ device: this.record.address, err: reason }, 'instrument session ended');
      return reason;
    } finally {
      offLost();
      signal.removeEventListener('abort', onAbort);
      await conn.disconnect().catch(() => undefined);
    }
  }

  /**
   * Runs a setup step whose failure is not the link's: logged, and the session goes on. A lost
   * link or a stop still ends the session (those errors are rethrown).
   */
  async #optional<T>(what: string, step: Promise<T>): Promise<T | undefined> {
    try {
      return await step;
    } catch (err) {
      if (err instanceof TransportError && (err.code === 'not_connected' || err.code === 'aborted'))
        throw err;
      if (this.#abort.signal.aborted) throw err;
      this.deps.log.warn({ device: this.record.address, err: message(err) }, `instrument ${what} skipped`);
      return undefined;
    }
  }

  /** Whether the transport holds a bond with it now (paired since it was remembered, or lost). */
  async #bondState(): Promise<void> {
    const pairing = this.deps.transport.pairing;
    if (!pairing) return;
    const bonded = await pairing.isBonded(asDeviceId(this.record.address));
    if (bonded === this.status.bonded) return;
    this.#update({ bonded });
    this.#persist({ bonded });
  }

  /** Device Information once per kit run; a different serial at the same address starts afresh. */
  async #identify(conn: PacedConnection, signal: AbortSignal): Promise<void> {
    if (this.#infoRead) return;
    const info = await readDeviceInformation(conn, signal);
    this.#infoRead = true;
    const known = this.status.serial;
    if (known !== null && info.serial !== null && info.serial !== known) {
      this.deps.log.warn(
        { device: this.record.address },
        'another instrument answers at this address: dedupe restarts',
      );
      this.gate.deduper.reset();
      this.#update({ lastSequence: null });
      this.#persist({ lastSequence: null, recentReadings: [] });
    }
    const serial = info.serial ?? known;
    this.gate.serial = serial;
    const patch = {
      model: info.model ?? this.status.model,
      serial,
      firmware: info.firmware ?? this.status.firmware,
    };
    this.#update(patch);
    this.#persist(info.manufacturer === null ? patch : { ...patch, manufacturer: info.manufacturer });
  }

  #battery(level: number): void {
    if (level === this.status.battery) return;
    this.#update({ battery: level });
    this.#persist({ battery: level });
  }

  #clock(check: ClockCheck): void {
    if (!check.supported) return;
    this.#update({ clockOffsetMs: check.before, clockSet: check.setAt !== null && check.after !== null });
    this.#persist({ clockOffsetMs: check.after ?? check.before });
    if (check.setAt !== null)
      this.deps.log.info(
        { device: this.record.address, offsetMs: check.before, residualMs: check.after },
        'instrument clock set',
      );
  }

  /** Stored records newer than the last one stored; bookkeeping written at once after. */
  async #download(session: DriverSession, signal: AbortSignal): Promise<void> {
    try {
      await downloadNewRecords(session, {
        gate: this.gate,
        log: this.deps.log,
        address: this.record.address,
        idleTimeoutMs: this.deps.timing.racpIdleTimeoutMs,
        signal,
        progress: (download) => this.#update({ download }),
      });
    } finally {
      await this.flush();
    }
  }
}
