import { DBusError, Message, Variant, type ClientInterface, type MessageBus } from 'dbus-next';
import { TransportError } from '../../transport.ts';
import { fromBluez, isBluezError } from './bluez-errors.ts';
import { openBus } from './dbus-connection.ts';
import { deadline, sleep } from './deadline.ts';
import { DeviceEntry, type ManagedObjects } from './device-entry.ts';
import { KitAgent } from './kit-agent.ts';
import {
  loadNodeBle,
  type NodeBleAdapter,
  type NodeBleBluetooth,
  type NodeBleClasses,
} from './node-ble-internals.ts';

/** What a session needs to know. */
export interface SessionOptions {
  readonly busAddress: string;
  readonly adapter: string | undefined;
  readonly agentPath: string;
  readonly callMs: number;
  /** Something the kit should log: BlueZ restarted, the bus went away, the agent was refused. */
  readonly note: (event: string, detail: string) => void;
}

/**
 * One connection to the system bus and everything hung on it: node-ble's Bluetooth and Adapter,
 * the kit's agent (registered and made default), and one watcher each for BlueZ's
 * ObjectManager signals and for org.bluez changing owner. Device entries are cached here while
 * BlueZ keeps their objects, so a reconnect creates no proxies and no listeners. When bluetoothd
 * restarts, every link is reported lost, the cache is dropped and the agent registered again;
 * when the bus itself dies, the session is dead and the transport opens a new one on next use.
 */
export class BluezSession {
  readonly #entries = new Map<string, DeviceEntry>();
  #dead: string | null = null;
  #bluezOwner: string | null = null;
  #discoverers = 0;
  readonly #onDeath = new Set<(reason: string) => void>();
  #agent!: KitAgent;
  #nb!: NodeBleClasses;
  #bluetooth!: NodeBleBluetooth;
  #adapter!: NodeBleAdapter;
  #objectManager!: ClientInterface;
  #dbus!: ClientInterface;

  private constructor(
    readonly bus: MessageBus,
    private readonly o: SessionOptions,
  ) {}

  /** Connects, finds the adapter, registers the agent. Rejects with `unavailable` and closes on failure. */
  static async open(o: SessionOptions, signal?: AbortSignal): Promise<BluezSession> {
    let session: BluezSession | null = null;
    const bus = await openBus(o.busAddress, o.callMs, (reason) => {
      if (session) session.#die(reason);
    });
    session = new BluezSession(bus, o);
    try {
      await session.#init(signal);
      return session;
    } catch (err) {
      session.close();
      throw err instanceof TransportError && err.code === 'aborted' ? err : fromBluez(err, 'BlueZ');
    }
  }

  get dead(): boolean {
    return this.#dead !== null;
  }

  get adapterName(): string {
    return this.#adapter.adapter;
  }

  get adapterPath(): string {
    return `/org/bluez/${this.#adapter.adapter}`;
  }

  get agent(): KitAgent {
    return this.#agent;
  }

  /** Device entries held now (a diagnostic). */
  get entryCount(): number {
    return this.#entries.size;
  }

  /** Listeners held by the cached device entries (a diagnostic). */
  get entryListeners(): number {
    let n = 0;
    for (const e of this.#entries.values()) n += e.listenerCount;
    return n;
  }

  /** Called once if the session dies (bus lost). */
  onDeath(listener: (reason: string) => void): void {
    this.#onDeath.add(listener);
  }

  async #init(signal: AbortSignal | undefined): Promise<void> {
    const ms = this.o.callMs;
    this.#nb = loadNodeBle();
    this.#bluetooth = new this.#nb.Bluetooth(this.bus);
    this.#dbus = (
      await deadline(
        this.bus.getProxyObject('org.freedesktop.DBus', '/org/freedesktop/DBus'),
        ms,
        'D-Bus',
        signal,
      )
    ).getInterface('org.freedesktop.DBus');
    this.#dbus.on('NameOwnerChanged', (name: string, _old: string, owner: string) => {
      if (name === 'org.bluez') this.#bluezChanged(owner);
    });
    const owner = await deadline(this.#nameOwner(), ms, 'GetNameOwner(org.bluez)', signal);
    if (!owner)
      throw new TransportError('unavailable', 'BlueZ is not running (no org.bluez on the system bus)');
    this.#bluezOwner = owner;
    const adapters = await deadline(this.#bluetooth.adapters(), ms, 'list adapters', signal);
    const name = this.o.adapter ?? adapters[0];
    if (!name || !adapters.includes(name))
      throw new TransportError(
        'unavailable',
        this.o.adapter ? `no Bluetooth adapter ${this.o.adapter}` : 'no Bluetooth adapter',
      );
    this.#adapter = new this.#nb.Adapter(this.bus, name);
    if (!(await deadline(this.#adapter.isPowered(), ms, 'adapter Powered', signal)))
      throw new TransportError('unavailable', `Bluetooth adapter ${name} is powered off`);
    this.#objectManager = (
      await deadline(this.bus.getProxyObject('org.bluez', '/'), ms, 'ObjectManager', signal)
    ).getInterface('org.freedesktop.DBus.ObjectManager');
    this.#objectManager.on('InterfacesRemoved', (path: string, ifaces: string[]) =>
      this.#removed(path, ifaces),
    );
    this.#agent = new KitAgent(
      this.bus,
      this.o.agentPath,
      () => this.#bluezOwner,
      (p) => this.#isPaired(p),
    );
    await deadline(this.#registerAgent(), ms, 'RegisterAgent', signal);
  }

  async #nameOwner(): Promise<string | null> {
    try {
      const reply = await this.bus.call(
        new Message({
          destination: 'org.freedesktop.DBus',
          path: '/org/freedesktop/DBus',
          interface: 'org.freedesktop.DBus',
          member: 'GetNameOwner',
          signature: 's',
          body: ['org.bluez'],
        }),
      );
      return (reply?.body[0] as string | undefined) ?? null;
    } catch {
      return null;
    }
  }

  /** RegisterAgent + RequestDefaultAgent; retried briefly while a starting bluetoothd is not ready. */
  async #registerAgent(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        try {
          await this.#bluetooth.helper.callMethod('RegisterAgent', this.o.agentPath, 'KeyboardDisplay');
        } catch (err) {
          if (!isBluezError(err, 'AlreadyExists')) throw err;
        }
        await this.#bluetooth.helper.callMethod('RequestDefaultAgent', this.o.agentPath);
        return;
      } catch (err) {
        const notYet = err instanceof DBusError && err.type.startsWith('org.freedesktop.DBus.Error.');
        if (!notYet || attempt >= 5 || this.#dead) throw err;
        await sleep(100 * attempt);
      }
    }
  }

  #isPaired(devicePath: string): boolean {
    for (const e of this.#entries.values()) if (e.path === devicePath) return e.props.Paired;
    return false;
  }

  #dropEntries(reason: string): void {
    for (const e of this.#entries.values()) {
      e.onLinkLost?.(reason);
      e.dispose();
    }
    this.#entries.clear();
  }

  #bluezChanged(owner: string): void {
    this.#bluezOwner = owner || null;
    this.#discoverers = 0;
    this.#dropEntries(owner ? 'bluetoothd restarted' : 'bluetoothd stopped');
    this.o.note(owner ? 'bluez-restarted' : 'bluez-stopped', owner || 'org.bluez has no owner');
    if (owner) {
      deadline(this.#registerAgent(), this.o.callMs, 'RegisterAgent').catch((err: unknown) =>
        this.o.note('agent-refused', err instanceof Error ? err.message : String(err)),
      );
    }
  }

  #removed(path: string, ifaces: string[]): void {
    for (const [address, e] of this.#entries) {
      if (path === e.path && ifaces.includes('org.bluez.Device1')) {
        e.onLinkLost?.('device removed');
        e.dispose();
        this.#entries.delete(address);
      } else if (path.startsWith(`${e.path}/`) && e.chars) {
        e.gattGone();
      }
    }
  }

  #die(reason: string): void {
    if (this.#dead) return;
    this.#dead = reason;
    this.#dropEntries(reason);
    this.o.note('bus-lost', reason);
    for (const l of [...this.#onDeath]) l(reason);
    this.#onDeath.clear();
  }

  /** BlueZ's managed objects (one call for every device and GATT object). */
  async managedObjects(signal?: AbortSignal): Promise<ManagedObjects> {
    const objects = await deadline(
      (this.#objectManager.GetManagedObjects as (this: ClientInterface) => Promise<ManagedObjects>).call(
        this.#objectManager,
      ),
      this.o.callMs,
      'GetManagedObjects',
      signal,
    );
    return objects;
  }

  /** The cached entry of a device, created (and its properties read) when BlueZ has the object. */
  async entry(address: string, signal?: AbortSignal): Promise<DeviceEntry> {
    if (this.#dead) throw new TransportError('unavailable', this.#dead);
    const cached = this.#entries.get(address);
    if (cached) return cached;
    const path = `${this.adapterPath}/dev_${address.toUpperCase().replace(/:/g, '_')}`;
    const objects = await this.managedObjects(signal);
    if (!objects[path]?.['org.bluez.Device1'])
      throw new TransportError('not_found', `BlueZ does not know ${address}`);
    const again = this.#entries.get(address);
    if (again) return again;
    const e = new DeviceEntry(address, path, this.bus, this.adapterName, this.#nb);
    this.#entries.set(address, e);
    try {
      await deadline(e.load(), this.o.callMs, `${address} properties`, signal);
    } catch (err) {
      this.#entries.delete(address);
      e.dispose();
      throw fromBluez(err, `${address} properties`);
    }
    return e;
  }

  /** Starts BlueZ discovery for the first concurrent scan (LE only); later scans share it. */
  async startDiscovery(signal?: AbortSignal): Promise<void> {
    this.#discoverers++;
    if (this.#discoverers > 1) return;
    try {
      const h = this.#adapter.helper;
      await deadline(
        h.callMethod('SetDiscoveryFilter', { Transport: new Variant('s', 'le') }),
        this.o.callMs,
        'SetDiscoveryFilter',
        signal,
      );
      await deadline(h.callMethod('StartDiscovery'), this.o.callMs, 'StartDiscovery', signal).catch(
        (err: unknown) => {
          if (!isBluezError(err, 'InProgress')) throw err;
        },
      );
    } catch (err) {
      this.#discoverers--;
      throw fromBluez(err, 'StartDiscovery');
    }
  }

  /** Ends our discovery once the last concurrent scan is done. */
  async stopDiscovery(): Promise<void> {
    this.#discoverers = Math.max(0, this.#discoverers - 1);
    if (this.#discoverers > 0 || this.#dead) return;
    await deadline(this.#adapter.helper.callMethod('StopDiscovery'), this.o.callMs, 'StopDiscovery').catch(
      () => undefined,
    );
  }

  /** Removes the device and its bond from BlueZ (RemoveDevice). Absent devices are fine. */
  async removeDevice(address: string, signal?: AbortSignal): Promise<void> {
    const path = `${this.adapterPath}/dev_${address.toUpperCase().replace(/:/g, '_')}`;
    const e = this.#entries.get(address);
    try {
      await deadline(
        this.#adapter.helper.callMethod('RemoveDevice', path),
        this.o.callMs,
        'RemoveDevice',
        signal,
      );
    } catch (err) {
      if (!isBluezError(err, 'DoesNotExist')) throw fromBluez(err, 'RemoveDevice');
    }
    if (e) {
      e.onLinkLost?.('bond removed');
      e.dispose();
      this.#entries.delete(address);
    }
  }

  /** Unregisters the agent (best effort) and leaves the bus. */
  close(): void {
    if (this.#agent && !this.#dead) {
      this.#bluetooth.helper.callMethod('UnregisterAgent', this.o.agentPath).catch(() => undefined);
    }
    this.#agent?.detach();
    this.#dropEntries('transport closed');
    this.#dead ??= 'closed';
    this.#objectManager?.removeAllListeners('InterfacesRemoved');
    this.#dbus?.removeAllListeners('NameOwnerChanged');
    setImmediate(() => this.bus.disconnect());
  }
}
