import type { EventEmitter } from 'node:events';
import { Variant } from 'dbus-next';
import {
  TransportError,
  asDeviceId,
  type DeviceId,
  type DiscoveredDevice,
  type GattConnection,
  type PairingResponder,
  type Transport,
  type TransportPairing,
} from '../../transport.ts';
import { uuidKey } from '../../codecs/uuid.ts';
import { fromBluez, isBluezError } from './bluez-errors.ts';
import { BluezSession } from './bluez-session.ts';
import { NodeBleConnection } from './connection.ts';
import { DEFAULT_SYSTEM_BUS, localMatchRuleCount } from './dbus-connection.ts';
import { deadline, sleep } from './deadline.ts';
import type { DeviceEntry } from './device-entry.ts';

/** Time limits; every await in the transport has one. */
export interface NodeBleTimeouts {
  /** A single D-Bus call (properties, GATT operations). */
  readonly callMs: number;
  /** Connect() until BlueZ answers. */
  readonly connectMs: number;
  /** Connected until ServicesResolved (node-ble's gatt() would wait forever). */
  readonly resolveMs: number;
  /** The whole Pair(), prompts included. */
  readonly pairMs: number;
}

/** Options of the BlueZ transport; all optional. */
export interface NodeBleTransportOptions {
  /** Default: DBUS_SYSTEM_BUS_ADDRESS, else the system bus socket. */
  readonly busAddress?: string;
  /** Default: the first adapter BlueZ lists. */
  readonly adapter?: string;
  readonly timeouts?: Partial<NodeBleTimeouts>;
  /** Where the kit's Agent1 is exported. */
  readonly agentPath?: string;
  /** Things worth a log line: BlueZ restarted, the bus was lost, the agent was refused. */
  readonly onNote?: (event: string, detail: string) => void;
}

const DEFAULTS: NodeBleTimeouts = { callMs: 10_000, connectMs: 20_000, resolveMs: 15_000, pairMs: 120_000 };

/**
 * Instruments through BlueZ over D-Bus, with node-ble 1.13 as the client library, coded around
 * its traps: every await is bounded (node-ble's gatt() and dbus-next calls can wait forever);
 * notifications start once per characteristic and listeners are registered once per device, so
 * reconnects add none; control-point writes are Write Requests, not node-ble's default Reliable
 * Write; a missing system bus is an `unavailable` state, never the unhandled 'error' that kills
 * the process; pairing cancels with BlueZ's real CancelPairing (node-ble calls a CancelPair that
 * does not exist) and answers prompts through the kit's own Agent1 on the same connection. When
 * the bus or bluetoothd goes away, links report loss and the next call opens a fresh session.
 */
export class NodeBleTransport implements Transport {
  readonly kind = 'node-ble' as const;
  readonly pairing: TransportPairing;
  readonly #o: NodeBleTransportOptions;
  readonly #t: NodeBleTimeouts;
  #session: Promise<BluezSession> | null = null;
  readonly #links = new Map<string, NodeBleConnection>();
  /** Pairings in progress: a pairing owns the device's link until it ends. */
  readonly #pairings = new Map<string, Promise<void>>();
  #closed = false;

  constructor(options: NodeBleTransportOptions = {}) {
    this.#o = options;
    this.#t = { ...DEFAULTS, ...options.timeouts };
    this.pairing = {
      pair: (id, respond, signal) => this.#pair(id, respond, signal),
      isBonded: (id) => this.#isBonded(id),
      removeBond: (id) => this.#removeBond(id),
    };
  }

  /** The bus address this transport uses. */
  get busAddress(): string {
    return this.#o.busAddress ?? process.env.DBUS_SYSTEM_BUS_ADDRESS ?? DEFAULT_SYSTEM_BUS;
  }

  async #sessionFor(signal?: AbortSignal): Promise<BluezSession> {
    if (this.#closed) throw new TransportError('unavailable', 'transport closed');
    const current = this.#session ? await this.#session.catch(() => null) : null;
    if (current && !current.dead) return current;
    const opening = BluezSession.open(
      {
        busAddress: this.busAddress,
        adapter: this.#o.adapter,
        agentPath: this.#o.agentPath ?? '/org/fieldkit/agent',
        callMs: this.#t.callMs,
        note: (event, detail) => this.#o.onNote?.(event, detail),
      },
      signal,
    );
    this.#session = opening;
    try {
      return await opening;
    } catch (err) {
      if (this.#session === opening) this.#session = null;
      throw err;
    }
  }

  /** Whether BlueZ can be reached now; the reason when not (the kit reports it as a state). */
  async probe(signal?: AbortSignal): Promise<{ ok: true } | { ok: false; reason: string }> {
    try {
      await this.#sessionFor(signal);
      return { ok: true };
    } catch (err) {
      return { ok: false, reason: err instanceof Error ? err.message : String(err) };
    }
  }

  async scan(options: {
    readonly timeoutMs: number;
    readonly signal?: AbortSignal;
  }): Promise<DiscoveredDevice[]> {
    const session = await this.#sessionFor(options.signal);
    await session.startDiscovery(options.signal);
    try {
      await sleep(options.timeoutMs, options.signal);
      const objects = await session.managedObjects(options.signal);
      const found: DiscoveredDevice[] = [];
      for (const [path, ifaces] of Object.entries(objects)) {
        const d = ifaces['org.bluez.Device1'];
        if (!d || !path.startsWith(`${session.adapterPath}/`)) continue;
        const address = d.Address?.value as string;
        const rssi = d.RSSI?.value as number | undefined;
        found.push({
          id: asDeviceId(address),
          name: (d.Alias?.value as string | undefined) ?? (d.Name?.value as string | undefined) ?? address,
          services: ((d.UUIDs?.value as string[] | undefined) ?? []).map((u) => uuidKey(u)),
          ...(rssi === undefined ? {} : { rssi }),
        });
      }
      return found;
    } finally {
      await session.stopDiscovery();
    }
  }

  async connect(id: DeviceId, signal?: AbortSignal): Promise<GattConnection> {
    if (signal?.aborted) throw new TransportError('aborted', 'connect: aborted');
    // A pairing in progress owns the link: connecting now would not be encrypted, and a failed
    // attempt's Disconnect would cancel the pairing. Wait for it to end first.
    const pairing = this.#pairings.get(id);
    if (pairing)
      await deadline(
        pairing.catch(() => undefined),
        this.#t.pairMs,
        `connect ${id}: pairing`,
        signal,
      );
    const session = await this.#sessionFor(signal);
    const entry = await session.entry(id, signal);
    this.#links.get(id)?.lost('replaced by a new connection');
    if (!entry.props.Connected) {
      try {
        await deadline(entry.call('Connect'), this.#t.connectMs, `connect ${id}`, signal, () => {
          // Disconnect is how BlueZ cancels a pending Connect.
          entry.call('Disconnect').catch(() => undefined);
        });
      } catch (err) {
        if (!isBluezError(err, 'AlreadyConnected', 'InProgress')) throw fromBluez(err, `connect ${id}`);
      }
    }
    await this.#resolved(entry, id, signal);
    if (!entry.chars) entry.loadGatt(await session.managedObjects(signal));
    if (!entry.props.Connected)
      throw new TransportError('not_connected', `${id}: link lost while connecting`);
    const conn = new NodeBleConnection(
      id,
      entry,
      { opMs: this.#t.callMs, disconnectMs: this.#t.callMs },
      () => this.#pairings.has(id),
    );
    this.#links.set(id, conn);
    conn.onDisconnect(() => {
      if (this.#links.get(id) === conn) this.#links.delete(id);
    });
    return conn;
  }

  /** Waits for ServicesResolved with a limit; on timeout or abort the half-open link is dropped. */
  async #resolved(entry: DeviceEntry, id: DeviceId, signal?: AbortSignal): Promise<void> {
    let off = (): void => undefined;
    const ready = new Promise<void>((resolve, reject) => {
      off = entry.watch(() => {
        if (entry.props.ServicesResolved && entry.props.Connected) resolve();
        else if (!entry.props.Connected)
          reject(new TransportError('not_connected', `${id}: link lost before services were resolved`));
      });
    });
    try {
      await deadline(ready, this.#t.resolveMs, `${id}: services resolved`, signal, () => {
        entry.call('Disconnect').catch(() => undefined);
      });
    } finally {
      off();
    }
  }

  #pair(id: DeviceId, respond: PairingResponder, signal?: AbortSignal): Promise<void> {
    if (this.#pairings.has(id))
      return Promise.reject(new TransportError('pairing_failed', `${id}: already pairing`));
    const run = this.#pairOnce(id, respond, signal);
    this.#pairings.set(id, run);
    return run.finally(() => this.#pairings.delete(id));
  }

  async #pairOnce(id: DeviceId, respond: PairingResponder, signal?: AbortSignal): Promise<void> {
    const session = await this.#sessionFor(signal);
    const entry = await session.entry(id, signal);
    if (entry.props.Paired) return;
    const pairing = new AbortController();
    const release = session.agent.expect(entry.path, respond, pairing.signal);
    const stop = (): void => pairing.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await deadline(entry.call('Pair'), this.#t.pairMs, `pair ${id}`, signal, () => {
        pairing.abort();
        // BlueZ's method is CancelPairing; node-ble's cancelPair() calls a CancelPair that is not there.
        entry.call('CancelPairing').catch(() => undefined);
      });
    } catch (err) {
      if (!isBluezError(err, 'AlreadyExists')) {
        const e = fromBluez(err, `pair ${id}`);
        throw e.code === 'aborted' || e.code === 'timeout'
          ? new TransportError('pairing_failed', e.message)
          : e;
      }
    } finally {
      signal?.removeEventListener('abort', stop);
      pairing.abort();
      release();
    }
    // Trusted: BlueZ lets the bonded instrument reconnect and use its services without asking.
    await deadline(
      entry.device.helper.set('Trusted', new Variant('b', true)),
      this.#t.callMs,
      'Trusted',
    ).catch(() => undefined);
  }

  async #isBonded(id: DeviceId): Promise<boolean> {
    const session = await this.#sessionFor();
    try {
      const entry = await session.entry(id);
      return entry.props.Bonded;
    } catch (err) {
      if (err instanceof TransportError && err.code === 'not_found') return false;
      throw err;
    }
  }

  async #removeBond(id: DeviceId): Promise<void> {
    const session = await this.#sessionFor();
    await session.removeDevice(id);
  }

  /**
   * Counts for leak tests: our match rules, bus signal listeners, cached device entries, the
   * listeners on their node-ble objects, and live links.
   */
  async diagnostics(): Promise<{
    matchRules: number;
    signalListeners: number;
    entries: number;
    entryListeners: number;
    links: number;
    busName: string | null;
  }> {
    const session = this.#session ? await this.#session.catch(() => null) : null;
    if (!session)
      return { matchRules: 0, signalListeners: 0, entries: 0, entryListeners: 0, links: 0, busName: null };
    const signals = (session.bus as unknown as { _signals: EventEmitter })._signals;
    const signalListeners = signals.eventNames().reduce((n, e) => n + signals.listenerCount(e), 0);
    return {
      matchRules: localMatchRuleCount(session.bus),
      signalListeners,
      entries: session.entryCount,
      entryListeners: session.entryListeners,
      links: this.#links.size,
      busName: (session.bus as unknown as { name: string | null }).name,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const session = this.#session ? await this.#session.catch(() => null) : null;
    for (const link of [...this.#links.values()]) await link.disconnect().catch(() => undefined);
    this.#links.clear();
    this.#closed = true;
    session?.close();
  }
}
