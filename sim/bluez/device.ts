import { Variant, type Message } from 'dbus-next';
import { longUuid } from '../../ble-devices/codecs/uuid.ts';
import { BluezErrors } from './bluez-errors.ts';
import type { DbusInterface, DbusProperty } from './dbus/object-tree.ts';
import type { DeviceHost, SimBluezDeviceFaults, SimBluezDeviceOptions } from './device-types.ts';
import { SimGattDatabase } from './gatt.ts';
import { runPairing } from './pairing.ts';
import { ADAPTER_PATH, devicePath } from './paths.ts';

export type {
  DeviceHost,
  SimBluezDeviceFaults,
  SimBluezDeviceOptions,
  SimBluezEvent,
} from './device-types.ts';

const DEVICE = 'org.bluez.Device1';

/**
 * One simulated instrument as bluetoothd sees it: the Device1 object (exported once discovered,
 * or at start when bonded), the LE link (Connect, Disconnect, link loss from the instrument), the
 * bond on both sides (Pair through the registered agent, RemoveDevice, a bond lost on the
 * instrument) and its GATT database, resolved after Connected as BlueZ does.
 */
export class SimBluezDevice {
  readonly address: string;
  readonly path: string;
  readonly gatt: SimGattDatabase;
  readonly faults: SimBluezDeviceFaults = {};
  /** Whether the instrument is advertising (switched on, in range, not connected elsewhere). */
  advertising = true;
  /** Whether the instrument still holds its half of the bond. */
  deviceBond = false;
  lastSeen = 0;
  #exported = false;
  #connected = false;
  #connecting: AbortController | null = null;
  #resolved = false;
  #resolveTimer: NodeJS.Timeout | undefined;
  #paired = false;
  #trusted = false;
  #blocked = false;
  #alias: string | null = null;
  #rssi: number | undefined;
  #pairing: AbortController | null = null;
  #notifications = 0;
  /** Notifications and indications cut to ATT_MTU - 3 (a simulator whose frames do not fit). */
  truncatedNotifications = 0;
  readonly #truncatedReported = new Set<string>();

  constructor(
    readonly options: SimBluezDeviceOptions,
    address: string,
    private readonly host: DeviceHost,
  ) {
    this.address = address;
    this.path = devicePath(address);
    this.gatt = new SimGattDatabase(options.peripheral, {
      address,
      devicePath: this.path,
      tree: () => host.tree(),
      connected: () => this.#connected,
      encrypted: () => this.#paired && this.deviceBond,
      encryptedServices: () => options.encryptedServices ?? [],
      mtu: () => options.mtu ?? 23,
      queuedWrites: () => options.queuedWrites ?? false,
      recordWrite: (r) => host.recordWrite(r),
      notified: (c) => this.#notified(c),
      truncated: (c, length, delivered) => this.#truncated(c, length, delivered),
    });
    // Registered once for the device's life: the instrument may drop the link on its own.
    options.peripheral.onDetach((reason) => this.#linkDown(reason));
  }

  get name(): string {
    return this.options.peripheral.name;
  }
  get exported(): boolean {
    return this.#exported;
  }
  get connected(): boolean {
    return this.#connected;
  }
  get paired(): boolean {
    return this.#paired;
  }
  get pairingInProgress(): boolean {
    return this.#pairing !== null;
  }

  /** Makes the device object appear (discovered, or loaded as bonded at start). */
  export(rssi: number | undefined): void {
    this.#rssi = rssi;
    this.lastSeen = this.host.now();
    if (this.#exported) return;
    this.#exported = true;
    this.host.tree().add(this.path, [this.#iface()]);
  }

  /** An advertisement was received while discovering: refresh RSSI (a PropertiesChanged). */
  seen(rssi: number): void {
    this.lastSeen = this.host.now();
    this.#rssi = rssi;
    if (this.#exported) this.#changed(['RSSI']);
  }

  /** Discovery stopped: bluetoothd invalidates RSSI. */
  discoveryStopped(): void {
    if (this.#rssi === undefined) return;
    this.#rssi = undefined;
    if (this.#exported) this.#changed(['RSSI']);
  }

  /** RemoveDevice or the temporary-device timeout: link down, keys gone, object removed. */
  remove(): void {
    this.#connecting?.abort();
    if (this.#connected) this.options.peripheral.detach('device removed');
    this.#pairing?.abort();
    this.#paired = false;
    this.#trusted = false;
    this.#alias = null;
    this.#rssi = undefined;
    if (!this.#exported) return;
    this.#exported = false;
    this.gatt.reset();
    this.host.tree().remove(this.path);
    this.host.event({ type: 'removed', address: this.address });
  }

  /** bluetoothd went away: forget the link and the export, keep the bond (it is on disk). */
  daemonGone(): void {
    this.#connecting?.abort();
    this.#pairing?.abort();
    clearTimeout(this.#resolveTimer);
    const was = this.#connected;
    this.#connected = false;
    this.#resolved = false;
    this.#exported = false;
    this.#rssi = undefined;
    this.gatt.reset();
    if (was) this.options.peripheral.detach('bluetoothd stopped');
  }

  /** The instrument forgets its keys (battery swap, factory reset): the kit's bond no longer works. */
  loseBond(): void {
    this.deviceBond = false;
  }

  /** A D-Bus client left the bus. */
  clientGone(sender: string): void {
    this.gatt.clientGone(sender);
  }

  /** The instrument drops the link now (walked out of range, switched off). */
  dropLink(reason = 'simulated link loss'): void {
    if (this.#connected) this.options.peripheral.detach(reason);
  }

  #changed(names: string[]): void {
    if (this.#exported) this.host.tree().propertiesChanged(this.path, DEVICE, names);
  }

  #notified(characteristic: string): void {
    const drop = this.faults.dropAfter;
    if (!drop || longUuid(drop.characteristic) !== longUuid(characteristic)) return;
    if (++this.#notifications < drop.count) return;
    this.faults.dropAfter = undefined;
    this.#notifications = 0;
    // Right after this notification went out: the next one is lost with the link.
    this.dropLink('simulated link loss mid-transfer');
  }

  /** Counted always; told once per characteristic (a stream would flood the CLI's output). */
  #truncated(characteristic: string, length: number, delivered: number): void {
    this.truncatedNotifications++;
    if (this.#truncatedReported.has(characteristic)) return;
    this.#truncatedReported.add(characteristic);
    this.host.event({ type: 'truncated', address: this.address, characteristic, length, delivered });
  }

  #linkDown(reason: string): void {
    clearTimeout(this.#resolveTimer);
    if (!this.#connected) return;
    this.#connected = false;
    this.#pairing?.abort();
    this.lastSeen = this.host.now();
    this.gatt.linkLost();
    if (this.#resolved) {
      this.#resolved = false;
      this.#changed(['ServicesResolved']);
    }
    this.#changed(['Connected']);
    this.host.event({ type: 'disconnected', address: this.address, reason });
  }

  async #connect(): Promise<void> {
    if (this.#blocked) throw BluezErrors.failed('le-connection-abort-by-local');
    if (this.#connected) throw BluezErrors.alreadyConnected();
    if (this.#connecting) throw BluezErrors.inProgress();
    const attempt = new AbortController();
    this.#connecting = attempt;
    try {
      if ((this.faults.connectAborts ?? 0) > 0) {
        this.faults.connectAborts! -= 1;
        await delay(this.host.timing.connectMs, attempt.signal).catch(() => undefined);
        throw BluezErrors.le('le-connection-abort-by-local');
      }
      const wait = this.advertising ? this.host.timing.connectMs : this.host.timing.connectTimeoutMs;
      const completed = await delay(wait, attempt.signal).then(
        () => true,
        () => false,
      );
      // Not there (no advertisements) or cancelled by Disconnect: the kernel aborts the attempt.
      if (!completed || !this.advertising) throw BluezErrors.le('le-connection-abort-by-local');
      // A bonded link is encrypted at once; an instrument that lost its keys refuses.
      if (this.#paired && !this.deviceBond) throw BluezErrors.le('le-connection-key-missing');
    } finally {
      this.#connecting = null;
    }
    this.options.peripheral.attach();
    this.#connected = true;
    this.#changed(['Connected']);
    this.host.event({ type: 'connected', address: this.address });
    this.#scheduleResolve();
  }

  #scheduleResolve(): void {
    if (this.faults.servicesNeverResolve) return;
    this.#resolveTimer = setTimeout(() => {
      if (!this.#connected || this.#resolved) return;
      const first = !this.gatt.exported;
      this.gatt.export();
      this.#resolved = true;
      this.#changed(first ? ['UUIDs', 'ServicesResolved'] : ['ServicesResolved']);
      this.host.event({ type: 'resolved', address: this.address });
    }, this.host.timing.resolveMs);
  }

  async #pair(msg: Message): Promise<unknown[]> {
    if (this.#paired) throw BluezErrors.alreadyExists();
    if (this.#pairing) throw BluezErrors.inProgress();
    const run = new AbortController();
    this.#pairing = run;
    try {
      if (!this.#connected) await this.#connect();
      const method = this.options.pairing ?? 'just-works';
      const passkey = this.options.passkey ?? Math.floor(this.host.random() * 1_000_000);
      if (method === 'passkey-entry' || method === 'numeric-comparison')
        this.host.event({ type: 'passkey', address: this.address, name: this.name, passkey });
      await runPairing({
        method,
        devicePath: this.path,
        agent: this.host.agents.forSender(msg.sender),
        agents: this.host.agents,
        passkey,
        rejectPasskey: this.faults.rejectPasskey ?? false,
        signal: run.signal,
        typingMs: this.host.timing.typingMs,
      });
      if (run.signal.aborted) throw BluezErrors.authenticationCanceled();
      this.deviceBond = true;
      this.#paired = true;
      this.#changed(['Paired', 'Bonded']);
      this.host.event({ type: 'paired', address: this.address });
      return [];
    } catch (err) {
      const text =
        err instanceof Error ? `${(err as { type?: string }).type ?? err.name}: ${err.message}` : String(err);
      this.host.event({ type: 'pairing-failed', address: this.address, error: text });
      throw err;
    } finally {
      this.#pairing = null;
    }
  }

  #iface(): DbusInterface {
    const ro = (signature: string, get: () => unknown): DbusProperty => ({ signature, access: 'read', get });
    const rw = (signature: string, get: () => unknown, set: (v: unknown) => void): DbusProperty => ({
      signature,
      access: 'readwrite',
      get,
      set,
    });
    const o = this.options;
    return {
      name: DEVICE,
      properties: {
        Address: ro('s', () => this.address),
        AddressType: ro('s', () => 'random'),
        Name: ro('s', () => this.name),
        Alias: rw(
          's',
          () => this.#alias ?? this.name,
          (v) => {
            this.#alias = (v as string) === '' ? null : (v as string);
            this.#changed(['Alias']);
          },
        ),
        Paired: ro('b', () => this.#paired),
        Bonded: ro('b', () => this.#paired),
        Trusted: rw(
          'b',
          () => this.#trusted,
          (v) => {
            this.#trusted = v as boolean;
            this.#changed(['Trusted']);
          },
        ),
        Blocked: rw(
          'b',
          () => this.#blocked,
          (v) => {
            this.#blocked = v as boolean;
            this.#changed(['Blocked']);
            if (this.#blocked) this.dropLink('blocked');
          },
        ),
        LegacyPairing: ro('b', () => false),
        Connected: ro('b', () => this.#connected),
        ServicesResolved: ro('b', () => this.#resolved),
        Adapter: ro('o', () => ADAPTER_PATH),
        UUIDs: ro('as', () =>
          this.gatt.exported ? this.gatt.serviceUuids() : o.peripheral.services.map((s) => longUuid(s)),
        ),
        RSSI: ro('n', () => this.#rssi),
        ManufacturerData: ro('a{qv}', () =>
          o.manufacturerData ? variants(o.manufacturerData, 'ay') : undefined,
        ),
        ServiceData: ro('a{sv}', () =>
          o.serviceData
            ? variants(
                Object.fromEntries(Object.entries(o.serviceData).map(([k, v]) => [longUuid(k), v])),
                'ay',
              )
            : undefined,
        ),
        AdvertisingFlags: ro('ay', () => Buffer.from([0x06])),
      },
      methods: {
        Connect: { in: '', out: '', call: () => this.#connect().then(() => []) },
        Disconnect: {
          in: '',
          out: '',
          call: () => {
            if (this.#connecting) {
              this.#connecting.abort();
              return [];
            }
            if (!this.#connected) throw BluezErrors.notConnected();
            this.options.peripheral.detach('collector disconnected');
            return [];
          },
        },
        Pair: { in: '', out: '', call: (_b, msg) => this.#pair(msg) },
        CancelPairing: {
          in: '',
          out: '',
          call: () => {
            if (!this.#pairing) throw BluezErrors.doesNotExist();
            this.#pairing.abort();
            return [];
          },
        },
        ConnectProfile: {
          in: 's',
          out: '',
          inArgs: ['UUID'],
          call: () => {
            throw BluezErrors.notSupported();
          },
        },
        DisconnectProfile: {
          in: 's',
          out: '',
          inArgs: ['UUID'],
          call: () => {
            throw BluezErrors.notSupported();
          },
        },
      },
    };
  }
}

async function delay(ms: number, signal: AbortSignal): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new Error('aborted'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** a{?v} values: each byte string wrapped as a Variant of its signature. */
function variants(
  map: Readonly<Record<string | number, Uint8Array>>,
  signature: string,
): Record<string, Variant> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, new Variant(signature, Buffer.from(v))]));
}
