import { Message, NameFlag, RequestNameReply, sessionBus, type MessageBus } from 'dbus-next';
import { longUuid } from '../../ble-devices/codecs/uuid.ts';
import { seededRandom } from '../random.ts';
import { adapterInterface, type DiscoveryFilter } from './adapter.ts';
import { AgentRegistry } from './agents.ts';
import { BluezErrors } from './bluez-errors.ts';
import { allowIntegerDictKeys } from './dbus/integer-dict-keys.ts';
import { dropSendsWhenClosed } from './dbus/safe-send.ts';
import { ObjectTree } from './dbus/object-tree.ts';
import { SimBluezDevice, type SimBluezDeviceOptions, type SimBluezEvent } from './device.ts';
import type { WriteRecord } from './gatt.ts';
import { ADAPTER_PATH, addressForId } from './paths.ts';

export type { SimBluezDeviceOptions, SimBluezEvent } from './device.ts';
export type { WriteRecord } from './gatt.ts';

/** Options of the simulated bluetoothd (timings are configurable so tests run in milliseconds). */
export interface SimBluezOptions {
  /** The private bus (DBUS_SYSTEM_BUS_ADDRESS of the clients). */
  readonly busAddress: string;
  readonly devices: readonly SimBluezDeviceOptions[];
  /** Unpaired, unconnected devices disappear this long after last seen (BlueZ: 30 s). */
  readonly temporaryTimeoutMs?: number;
  /** An agent request unanswered this long is cancelled (AuthenticationTimeout). */
  readonly agentTimeoutMs?: number;
  /** How often a discovering adapter hears each advertising instrument. */
  readonly advertisingIntervalMs?: number;
  /** LE connection set-up time. */
  readonly connectMs?: number;
  /** How long a connection attempt to an absent instrument lasts before it aborts. */
  readonly connectTimeoutMs?: number;
  /** Delay between Connected and ServicesResolved. */
  readonly resolveMs?: number;
  /** How long an instrument takes to type a passkey the kit displays. */
  readonly typingMs?: number;
  readonly seed?: number;
}

const AGENT_MANAGER_PATH = '/org/bluez';

/**
 * A simulated bluetoothd (BlueZ 5.66) on a private D-Bus: owns `org.bluez`, exports the
 * ObjectManager at `/`, AgentManager1 at /org/bluez, Adapter1 at /org/bluez/hci0 and, for each
 * simulated instrument (a {@link SimPeripheral}), a Device1 with its GATT objects. Real clients
 * (node-ble, bluetoothctl, gdbus) cannot tell it from the daemon. Faults: connect aborts,
 * services never resolving, a drop mid-transfer, the daemon restarting under a new bus owner, the
 * bus itself dying, a rejected passkey, a bond lost on the instrument.
 */
export class SimBluez {
  readonly agents: AgentRegistry;
  /** Every WriteValue received (the last 1000), with its `type` option. */
  readonly writes: WriteRecord[] = [];
  readonly #devices = new Map<string, SimBluezDevice>();
  readonly #discovery = new Map<string, DiscoveryFilter | null>();
  readonly #filters = new Map<string, DiscoveryFilter | null>();
  readonly #listeners = new Set<(e: SimBluezEvent) => void>();
  readonly #random: () => number;
  #bus!: MessageBus;
  #tree!: ObjectTree;
  #advTimer: NodeJS.Timeout | undefined;
  #sweepTimer: NodeJS.Timeout | undefined;
  #stopped = false;

  private constructor(readonly options: SimBluezOptions) {
    this.#random = seededRandom(options.seed ?? 7);
    this.agents = new AgentRegistry(() => this.#bus, options.agentTimeoutMs ?? 60_000);
    const host = {
      tree: () => this.#tree,
      agents: this.agents,
      timing: {
        connectMs: options.connectMs ?? 30,
        connectTimeoutMs: options.connectTimeoutMs ?? 5000,
        resolveMs: options.resolveMs ?? 20,
        typingMs: options.typingMs ?? 300,
      },
      now: () => Date.now(),
      random: this.#random,
      recordWrite: (r: WriteRecord) => {
        this.writes.push(r);
        if (this.writes.length > 1000) this.writes.shift();
      },
      event: (e: SimBluezEvent) => this.#emit(e),
    };
    for (const d of options.devices) {
      const address = (d.address ?? addressForId(d.peripheral.id)).toUpperCase();
      this.#devices.set(address, new SimBluezDevice(d, address, host));
    }
  }

  /** Connects to the bus, takes `org.bluez` and exports the adapter. */
  static async start(options: SimBluezOptions): Promise<SimBluez> {
    allowIntegerDictKeys();
    const sim = new SimBluez(options);
    await sim.#claim();
    const sweep = Math.max(5, Math.min(1000, Math.floor((options.temporaryTimeoutMs ?? 30_000) / 2)));
    sim.#sweepTimer = setInterval(() => sim.#sweep(), sweep);
    sim.#sweepTimer.unref();
    return sim;
  }

  /** The unique bus name that owns org.bluez now (changes on {@link restart}). */
  get owner(): string {
    return (this.#bus as unknown as { name: string | null }).name ?? '';
  }

  /** Every simulated instrument with its BlueZ-side state and fault switches. */
  get devices(): SimBluezDevice[] {
    return [...this.#devices.values()];
  }

  /** A device by address or by its peripheral's id. */
  device(idOrAddress: string): SimBluezDevice | undefined {
    return (
      this.#devices.get(idOrAddress.toUpperCase()) ??
      [...this.#devices.values()].find((d) => d.options.peripheral.id === idOrAddress)
    );
  }

  /** Subscribes to what the daemon does (passkeys shown, links, pairings); returns the remover. */
  onEvent(listener: (e: SimBluezEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * A fault: bluetoothd restarts. The old connection leaves the bus (links drop, agents and
   * discovery sessions are lost), a new connection takes org.bluez and exports the adapter and
   * the bonded devices again, as bluetoothd reloads them from disk.
   */
  async restart(): Promise<void> {
    await this.#teardown();
    await this.#claim();
  }

  /** Leaves the bus for good. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweepTimer);
    await this.#teardown();
  }

  #emit(e: SimBluezEvent): void {
    for (const l of [...this.#listeners]) l(e);
  }

  async #teardown(): Promise<void> {
    clearInterval(this.#advTimer);
    this.#advTimer = undefined;
    this.#tree?.detach();
    this.agents.clear();
    this.#discovery.clear();
    this.#filters.clear();
    for (const d of this.#devices.values()) d.daemonGone();
    const bus = this.#bus;
    if (!bus) return;
    bus.removeAllListeners('message');
    // Give the name back before leaving, so the next owner can take it at once (a dead bus
    // cannot answer: do not wait long for it).
    await Promise.race([
      bus.releaseName('org.bluez').catch(() => undefined),
      new Promise((r) => setTimeout(r, 500)),
    ]);
    bus.disconnect();
  }

  async #claim(): Promise<void> {
    const bus = sessionBus({ busAddress: this.options.busAddress });
    bus.on('error', () => undefined); // the daemon dying is a fault we survive, not a crash
    dropSendsWhenClosed(bus);
    await new Promise<void>((resolve, reject) => {
      bus.once('connect', () => resolve());
      bus.once('error', (e: unknown) => reject(e instanceof Error ? e : new Error(String(e))));
    });
    this.#bus = bus;
    this.#tree = new ObjectTree(bus, '/');
    await this.#watchClients(bus);
    // Objects first, then the name: a client that sees org.bluez appear finds everything there.
    this.#tree.add(AGENT_MANAGER_PATH, [this.agents.iface(), profileManager()]);
    this.#tree.add(ADAPTER_PATH, [
      adapterInterface({
        address: '00:1A:7D:DA:71:0F',
        startDiscovery: (s) => this.#startDiscovery(s),
        stopDiscovery: (s) => this.#stopDiscovery(s),
        setFilter: (s, f) => this.#filters.set(s, f),
        discovering: () => this.#discovery.size > 0,
        removeDevice: (p) => this.#removeDevice(p),
        changed: (names) => this.#tree.propertiesChanged(ADAPTER_PATH, 'org.bluez.Adapter1', names),
      }),
    ]);
    for (const d of this.#devices.values()) if (d.paired) d.export(undefined);
    const reply = await bus.requestName('org.bluez', NameFlag.DO_NOT_QUEUE);
    if (reply !== RequestNameReply.PRIMARY_OWNER) {
      this.#tree.detach();
      bus.disconnect();
      throw new Error('org.bluez is already owned on this bus');
    }
  }

  /** Clients that leave the bus lose their agents, discovery sessions and notification sessions. */
  async #watchClients(bus: MessageBus): Promise<void> {
    const rule =
      "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged'";
    await bus.call(
      new Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'AddMatch',
        signature: 's',
        body: [rule],
      }),
    );
    bus.on('message', (msg: Message) => {
      if (msg.member !== 'NameOwnerChanged' || msg.sender !== 'org.freedesktop.DBus') return;
      const [name, , owner] = msg.body as [string, string, string];
      if (!name.startsWith(':') || owner !== '') return;
      this.agents.senderGone(name);
      for (const d of this.#devices.values()) d.clientGone(name);
      this.#filters.delete(name);
      if (this.#discovery.delete(name)) this.#discoveryChanged();
    });
  }

  #startDiscovery(sender: string): void {
    if (this.#discovery.has(sender)) throw BluezErrors.inProgress();
    this.#discovery.set(sender, this.#filters.get(sender) ?? null);
    if (this.#discovery.size === 1) {
      this.#tree.propertiesChanged(ADAPTER_PATH, 'org.bluez.Adapter1', ['Discovering']);
      const every = this.options.advertisingIntervalMs ?? 500;
      this.#advTimer = setInterval(() => this.#hear(), every);
      this.#advTimer.unref();
    }
    // The first advertisements arrive right away.
    setImmediate(() => this.#hear());
  }

  #stopDiscovery(sender: string): void {
    if (!this.#discovery.has(sender)) throw BluezErrors.failed('No discovery started');
    this.#discovery.delete(sender);
    this.#discoveryChanged();
  }

  #discoveryChanged(): void {
    if (this.#discovery.size > 0) return;
    clearInterval(this.#advTimer);
    this.#advTimer = undefined;
    this.#tree.propertiesChanged(ADAPTER_PATH, 'org.bluez.Adapter1', ['Discovering']);
    for (const d of this.#devices.values()) d.discoveryStopped();
  }

  /** One round of advertisements heard by a discovering adapter. */
  #hear(): void {
    if (this.#discovery.size === 0 || this.#stopped) return;
    const filters = [...this.#discovery.values()];
    for (const d of this.#devices.values()) {
      if (!d.advertising || d.connected) continue;
      const uuids = d.options.peripheral.services.map((s) => longUuid(s));
      const rssi = Math.round((d.options.rssi ?? -60) + (this.#random() * 6 - 3));
      const wanted = filters.some(
        (f) =>
          f === null ||
          ((f.uuids.length === 0 || f.uuids.some((u) => uuids.includes(u))) &&
            (f.rssi === null || rssi >= f.rssi) &&
            f.transport !== 'bredr'),
      );
      if (!wanted) continue;
      if (d.exported) d.seen(rssi);
      else d.export(rssi);
    }
  }

  #removeDevice(path: string): void {
    const d = [...this.#devices.values()].find((x) => x.path === path && x.exported);
    if (!d) throw BluezErrors.doesNotExist();
    d.remove();
  }

  /** Temporary devices (never paired, not connected) go when not heard for the timeout. */
  #sweep(): void {
    const limit = this.options.temporaryTimeoutMs ?? 30_000;
    const now = Date.now();
    for (const d of this.#devices.values()) {
      if (!d.exported || d.paired || d.connected || d.pairingInProgress) continue;
      if (now - d.lastSeen > limit) d.remove();
    }
  }
}

/** org.bluez.ProfileManager1 is present on a real /org/bluez; we accept no profiles. */
function profileManager() {
  const refuse = () => {
    throw BluezErrors.notSupported();
  };
  return {
    name: 'org.bluez.ProfileManager1',
    properties: {},
    methods: {
      RegisterProfile: { in: 'osa{sv}', out: '', call: refuse },
      UnregisterProfile: { in: 'o', out: '', call: refuse },
    },
  };
}
