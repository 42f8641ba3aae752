import type { Message } from 'dbus-next';
import { longUuid } from '../../ble-devices/codecs/uuid.ts';
import type { SimCharacteristicInfo, SimPeripheral } from '../gatt/sim-peripheral.ts';
import { BluezErrors } from './bluez-errors.ts';
import type { DbusInterface, ObjectTree } from './dbus/object-tree.ts';

/** One WriteValue as the simulated BlueZ received it: the `type` option is what node-ble gets wrong. */
export interface WriteRecord {
  readonly address: string;
  readonly characteristic: string;
  /** The `type` option: 'request', 'command', 'reliable', or '' when the caller gave none. */
  readonly type: string;
  readonly value: Uint8Array;
  readonly ok: boolean;
}

/** What the GATT objects need from their device. */
export interface GattHost {
  readonly address: string;
  readonly devicePath: string;
  tree(): ObjectTree;
  connected(): boolean;
  /** The link is encrypted with a bond (characteristics marked 'encrypted' need it). */
  encrypted(): boolean;
  /** Services the instrument serves only over an encrypted link, whatever the characteristic says. */
  encryptedServices(): readonly string[];
  mtu(): number;
  /** Whether the instrument accepts queued (prepare/execute) writes, which 'reliable' and long writes use. */
  queuedWrites(): boolean;
  recordWrite(rec: WriteRecord): void;
  /** Called for every notification/indication sent to D-Bus (faults count them). */
  notified(characteristic: string): void;
  /** A notification or indication was longer than ATT_MTU - 3 and arrived cut to it. */
  truncated(characteristic: string, length: number, delivered: number): void;
}

/**
 * What one Handle Value Notification or Indication carries over the air: at most ATT_MTU - 3
 * bytes (Core spec Vol 3 Part F 3.4.7.1/3.4.7.2: "only the first (ATT_MTU-3) octets ... can be
 * sent"). Longer values reach bluetoothd cut, and BlueZ hands on what it received; there is no
 * long-notify. The default MTU is 23 (20 bytes) until the exchange raises it.
 */
export function airValue(value: Uint8Array, mtu: number): Uint8Array {
  const max = Math.max(20, mtu - 3);
  return value.length > max ? value.subarray(0, max) : value;
}

const SERVICE = 'org.bluez.GattService1';
const CHARACTERISTIC = 'org.bluez.GattCharacteristic1';
const DESCRIPTOR = 'org.bluez.GattDescriptor1';

interface CharState {
  readonly info: SimCharacteristicInfo;
  readonly path: string;
  readonly handle: number;
  readonly cccdPath: string | null;
  value: Buffer | undefined;
  readonly clients: Set<string>;
  off: (() => void) | null;
  mode: 'notify' | 'indicate' | null;
}

/**
 * A simulated instrument's GATT database as BlueZ exports it once services are resolved:
 * `serviceXXXX/charYYYY/descZZZZ` objects named by attribute handle, client-side Flags from the
 * characteristic properties, a CCCD per notifying characteristic, StartNotify/StopNotify per
 * D-Bus client, and every notification or indication a PropertiesChanged carrying Value (even an
 * unchanged one, cut to ATT_MTU - 3 as on the air), sent from the connection that owns org.bluez.
 */
export class SimGattDatabase {
  readonly #chars: CharState[] = [];
  readonly #services: Array<{ uuid: string; path: string; handle: number }> = [];
  #exported = false;

  constructor(
    private readonly peripheral: SimPeripheral,
    private readonly host: GattHost,
  ) {
    let handle = 0x0010; // GAP and GATT services sit below; bluetoothd keeps those to itself.
    let service: { uuid: string; path: string; handle: number } | undefined;
    for (const info of peripheral.characteristics()) {
      if (!service || service.uuid !== info.service) {
        service = { uuid: info.service, path: `${host.devicePath}/service${hex4(handle)}`, handle };
        this.#services.push(service);
        handle++;
      }
      const declaration = handle;
      const path = `${service.path}/char${hex4(declaration)}`;
      handle += 2;
      const notifies = info.properties.includes('notify') || info.properties.includes('indicate');
      const cccdPath = notifies ? `${path}/desc${hex4(handle++)}` : null;
      this.#chars.push({
        info,
        path,
        handle: declaration,
        cccdPath,
        value: undefined,
        clients: new Set(),
        off: null,
        mode: null,
      });
    }
  }

  get exported(): boolean {
    return this.#exported;
  }

  /** 128-bit UUIDs of the primary services (Device1.UUIDs once resolved). */
  serviceUuids(): string[] {
    return this.#services.map((s) => longUuid(s.uuid));
  }

  /** Exports every service, characteristic and descriptor (InterfacesAdded, in tree order). */
  export(): void {
    if (this.#exported) return;
    this.#exported = true;
    const tree = this.host.tree();
    for (const s of this.#services) {
      tree.add(s.path, [this.#serviceIface(s)]);
      for (const c of this.#chars.filter((x) => x.path.startsWith(`${s.path}/`))) {
        tree.add(c.path, [this.#charIface(c)]);
        if (c.cccdPath) tree.add(c.cccdPath, [this.#cccdIface(c)]);
      }
    }
  }

  /** Forgets the export (the device object went away or bluetoothd restarted). */
  reset(): void {
    this.#exported = false;
    for (const c of this.#chars) this.#stopAll(c, false);
  }

  /** The link dropped: every notification session ends (Notifying false), the cache stays. */
  linkLost(): void {
    for (const c of this.#chars) this.#stopAll(c, this.#exported);
  }

  /** A D-Bus client left the bus: its notification sessions end. */
  clientGone(sender: string): void {
    for (const c of this.#chars) {
      if (!c.clients.delete(sender) || c.clients.size > 0) continue;
      this.#stopAll(c, this.#exported);
    }
  }

  /** How many characteristics are notifying to some client (a diagnostic). */
  get notifyingCount(): number {
    return this.#chars.filter((c) => c.clients.size > 0).length;
  }

  /** The D-Bus path of a characteristic (short or long UUIDs), for tests and the CLI. */
  pathOf(service: string, characteristic: string): string | null {
    const s = longUuid(service);
    const c = longUuid(characteristic);
    return (
      this.#chars.find((x) => longUuid(x.info.service) === s && longUuid(x.info.characteristic) === c)
        ?.path ?? null
    );
  }

  #stopAll(c: CharState, signal: boolean): void {
    const was = c.clients.size > 0;
    c.clients.clear();
    c.off?.();
    c.off = null;
    c.mode = null;
    if (was && signal) this.host.tree().propertiesChanged(c.path, CHARACTERISTIC, ['Notifying']);
  }

  #serviceIface(s: { uuid: string; path: string; handle: number }): DbusInterface {
    return {
      name: SERVICE,
      methods: {},
      properties: {
        UUID: ro('s', () => longUuid(s.uuid)),
        Device: ro('o', () => this.host.devicePath),
        Primary: ro('b', () => true),
        Includes: ro('ao', () => []),
        Handle: ro('q', () => s.handle),
      },
    };
  }

  #secured(c: CharState): boolean {
    return (
      c.info.security === 'encrypted' ||
      this.host.encryptedServices().some((s) => longUuid(s) === longUuid(c.info.service))
    );
  }

  #flags(c: CharState): string[] {
    const p = c.info.properties;
    const order = ['read', 'write', 'notify', 'indicate'] as const;
    return order.filter((f) => p.includes(f));
  }

  #guard(c: CharState, need: 'read' | 'write'): void {
    if (!this.host.connected()) throw BluezErrors.failed('Not connected');
    if (!c.info.properties.includes(need))
      throw BluezErrors.notPermitted(need === 'read' ? 'Read not permitted' : 'Write not permitted');
    if (this.#secured(c) && !this.host.encrypted()) throw BluezErrors.notPermitted('Not paired');
  }

  #charIface(c: CharState): DbusInterface {
    const tree = (): ObjectTree => this.host.tree();
    const notifies = c.cccdPath !== null;
    return {
      name: CHARACTERISTIC,
      properties: {
        UUID: ro('s', () => longUuid(c.info.characteristic)),
        Service: ro('o', () => c.path.slice(0, c.path.lastIndexOf('/'))),
        Value: ro('ay', () => c.value),
        Notifying: ro('b', () => (notifies ? c.clients.size > 0 : undefined)),
        Flags: ro('as', () => this.#flags(c)),
        Handle: ro('q', () => c.handle),
        MTU: ro('q', () => this.host.mtu()),
      },
      methods: {
        ReadValue: {
          in: 'a{sv}',
          out: 'ay',
          inArgs: ['options'],
          outArgs: ['value'],
          call: ([options]) => {
            this.#guard(c, 'read');
            const offset = optionNumber(options, 'offset');
            const full = Buffer.from(this.peripheral.read(c.info.service, c.info.characteristic));
            if (offset > full.length) throw BluezErrors.invalidArguments('Invalid offset');
            c.value = full;
            // bluetoothd stores what it read in its cache and announces it as a Value change.
            setImmediate(() => tree().propertiesChanged(c.path, CHARACTERISTIC, ['Value']));
            return [full.subarray(offset)];
          },
        },
        WriteValue: {
          in: 'aya{sv}',
          out: '',
          inArgs: ['value', 'options'],
          call: ([value, options]) => this.#write(c, Buffer.from(value as Uint8Array), options),
        },
        StartNotify: {
          in: '',
          out: '',
          call: (_body, msg) => this.#startNotify(c, msg),
        },
        StopNotify: {
          in: '',
          out: '',
          call: (_body, msg) => {
            if (!c.clients.has(msg.sender)) throw BluezErrors.failed('No notify session started');
            c.clients.delete(msg.sender);
            if (c.clients.size === 0) {
              this.#stopAll(c, false);
              tree().propertiesChanged(c.path, CHARACTERISTIC, ['Notifying']);
            }
            return [];
          },
        },
      },
    };
  }

  #write(c: CharState, value: Buffer, options: unknown): unknown[] {
    const type = optionString(options, 'type');
    const record = (ok: boolean): void =>
      this.host.recordWrite({
        address: this.host.address,
        characteristic: c.info.characteristic,
        type,
        value: new Uint8Array(value),
        ok,
      });
    try {
      this.#guard(c, 'write');
      if (type === 'command') throw BluezErrors.notSupported(); // no write-without-response property
      if (type !== '' && type !== 'request' && type !== 'reliable') throw BluezErrors.invalidArguments();
      const long = value.length > this.host.mtu() - 3;
      // 'reliable' is a prepare/execute write; so is a value longer than one PDU.
      if ((type === 'reliable' || long) && !this.host.queuedWrites()) throw BluezErrors.notSupported();
      if (value.length > 512) throw BluezErrors.invalidArguments('Invalid Length');
      try {
        this.peripheral.write(c.info.service, c.info.characteristic, value);
      } catch (err) {
        const att = (err as { attError?: number }).attError ?? 0x80;
        throw BluezErrors.failed(`Operation failed with ATT error: 0x${att.toString(16).padStart(2, '0')}`);
      }
      c.value = Buffer.from(value);
      record(true);
      return [];
    } catch (err) {
      record(false);
      throw err;
    }
  }

  #startNotify(c: CharState, msg: Message): unknown[] {
    if (!this.host.connected()) throw BluezErrors.failed('Not connected');
    const p = c.info.properties;
    if (!p.includes('notify') && !p.includes('indicate')) throw BluezErrors.notSupported();
    if (c.clients.has(msg.sender)) throw BluezErrors.inProgress();
    if (this.#secured(c) && !this.host.encrypted()) throw BluezErrors.notPermitted('Not paired');
    if (!c.off) {
      // bluetoothd writes the CCCD once for all its clients: notify when offered, else indicate.
      const mode = p.includes('notify') ? 'notify' : 'indicate';
      c.mode = mode;
      c.off = this.peripheral.subscribe(c.info.service, c.info.characteristic, mode, (v) => {
        const sent = airValue(v, this.host.mtu());
        if (sent.length < v.length) this.host.truncated(c.info.characteristic, v.length, sent.length);
        c.value = Buffer.from(sent);
        this.host.tree().propertyValue(c.path, CHARACTERISTIC, 'Value', 'ay', c.value);
        this.host.notified(c.info.characteristic);
      });
    }
    const first = c.clients.size === 0;
    c.clients.add(msg.sender);
    if (first) this.host.tree().propertiesChanged(c.path, CHARACTERISTIC, ['Notifying']);
    return [];
  }

  #cccdIface(c: CharState): DbusInterface {
    const cccd = (): Buffer => Buffer.from([c.mode === 'notify' ? 1 : c.mode === 'indicate' ? 2 : 0, 0]);
    return {
      name: DESCRIPTOR,
      properties: {
        UUID: ro('s', () => longUuid('2902')),
        Characteristic: ro('o', () => c.path),
        Value: ro('ay', () => cccd()),
        Handle: ro('q', () => Number.parseInt(c.cccdPath!.slice(-4), 16)),
      },
      methods: {
        ReadValue: {
          in: 'a{sv}',
          out: 'ay',
          inArgs: ['options'],
          outArgs: ['value'],
          call: () => {
            if (!this.host.connected()) throw BluezErrors.failed('Not connected');
            return [cccd()];
          },
        },
        WriteValue: {
          in: 'aya{sv}',
          out: '',
          inArgs: ['value', 'options'],
          // bluetoothd keeps the CCCD to itself: StartNotify/StopNotify are the way.
          call: () => {
            throw BluezErrors.notPermitted('Write not permitted');
          },
        },
      },
    };
  }
}

function hex4(n: number): string {
  return n.toString(16).padStart(4, '0');
}

function ro(
  signature: string,
  get: () => unknown,
): { signature: string; access: 'read'; get: () => unknown } {
  return { signature, access: 'read', get };
}

function option(options: unknown, key: string): unknown {
  const v = (options as Record<string, { value?: unknown } | undefined>)?.[key];
  return v?.value;
}

function optionNumber(options: unknown, key: string): number {
  const v = option(options, key);
  return typeof v === 'number' ? v : 0;
}

function optionString(options: unknown, key: string): string {
  const v = option(options, key);
  return typeof v === 'string' ? v : '';
}
