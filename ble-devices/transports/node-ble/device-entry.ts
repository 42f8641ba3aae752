import type { EventEmitter } from 'node:events';
import type { MessageBus, Variant } from 'dbus-next';
import { uuidKey } from '../../codecs/uuid.ts';
import type { NodeBleCharacteristic, NodeBleClasses, NodeBleDevice } from './node-ble-internals.ts';

/** Every listener an emitter holds, whatever the event. */
function emitterListeners(e: EventEmitter): number {
  return e.eventNames().reduce((n, name) => n + e.listenerCount(name), 0);
}

/** A GATT characteristic as BlueZ exported it, with node-ble's object built on first use. */
export class CharEntry {
  #nb: NodeBleCharacteristic | null = null;
  /** node-ble's startNotifications() was called (it adds a listener per call: only once). */
  started = false;
  /** Where notifications go now (the live connection's subscriber), or nowhere. */
  subscriber: ((value: Uint8Array) => void) | null = null;
  #echo: { bytes: Buffer; until: number } | null = null;

  constructor(
    readonly path: string,
    readonly service: string,
    readonly characteristic: string,
    readonly flags: readonly string[],
    private readonly make: () => NodeBleCharacteristic,
  ) {}

  /** node-ble's object, with our one 'valuechanged' listener attached once. */
  get nb(): NodeBleCharacteristic {
    if (!this.#nb) {
      this.#nb = this.make();
      this.#nb.on('valuechanged', (v: Buffer) => this.#deliver(v));
    }
    return this.#nb;
  }

  /**
   * BlueZ announces the result of every ReadValue as a Value change too; a subscriber would take
   * it for a notification. The value just read is swallowed once if it comes back within 250 ms.
   */
  expectEcho(bytes: Buffer): void {
    this.#echo = { bytes, until: Date.now() + 250 };
  }

  #deliver(v: Buffer): void {
    const echo = this.#echo;
    if (echo && Date.now() <= echo.until && echo.bytes.equals(v)) {
      this.#echo = null;
      return;
    }
    this.subscriber?.(new Uint8Array(v));
  }

  /** Listeners on node-ble's object and its proxy (a diagnostic: reconnects must add none). */
  get listenerCount(): number {
    return this.#nb ? emitterListeners(this.#nb) + emitterListeners(this.#nb.helper) : 0;
  }

  /** Drops node-ble's object and its D-Bus listener (RemoveMatch goes out with our refcount fix). */
  dispose(): void {
    this.subscriber = null;
    if (!this.#nb) return;
    this.#nb.removeAllListeners('valuechanged');
    this.#nb.helper.removeListeners();
    this.#nb = null;
    this.started = false;
  }
}

/** Device1 properties the transport follows. */
export interface DeviceProps {
  Connected: boolean;
  ServicesResolved: boolean;
  Paired: boolean;
  Bonded: boolean;
}

/** Managed objects as GetManagedObjects returns them. */
export type ManagedObjects = Record<string, Record<string, Record<string, Variant>>>;

/**
 * Everything the transport keeps for one BlueZ device while its object exists: node-ble's Device
 * (one props listener for the device's whole life, so reconnects add none), the followed
 * properties, the GATT map (BlueZ keeps it across reconnects) and the live link, if any.
 */
export class DeviceEntry {
  readonly props: DeviceProps = { Connected: false, ServicesResolved: false, Paired: false, Bonded: false };
  readonly device: NodeBleDevice;
  chars: Map<string, CharEntry> | null = null;
  /** The live connection's link-loss hook, set by the connection. */
  onLinkLost: ((reason: string) => void) | null = null;
  readonly #waiters = new Set<() => void>();
  readonly #segment: string;

  constructor(
    readonly address: string,
    readonly path: string,
    private readonly bus: MessageBus,
    private readonly adapter: string,
    private readonly nb: NodeBleClasses,
  ) {
    this.#segment = path.slice(path.lastIndexOf('/') + 1);
    this.device = new nb.Device(bus, adapter, this.#segment);
    this.device.helper.on('PropertiesChanged', (changed: Record<string, Variant>) => this.#changed(changed));
  }

  /** Reads the followed properties once (after the listener is in place, so no change is missed). */
  async load(): Promise<void> {
    const all = await this.device.helper.props();
    this.#apply(all);
  }

  #apply(values: Record<string, unknown>): void {
    for (const k of ['Connected', 'ServicesResolved', 'Paired', 'Bonded'] as const) {
      if (typeof values[k] === 'boolean') this.props[k] = values[k];
    }
    if (values.Bonded === undefined && typeof values.Paired === 'boolean') this.props.Bonded = values.Paired;
  }

  #changed(changed: Record<string, Variant>): void {
    const values = Object.fromEntries(Object.entries(changed).map(([k, v]) => [k, v.value as unknown]));
    const wasConnected = this.props.Connected;
    this.#apply(values);
    if (wasConnected && !this.props.Connected) this.onLinkLost?.('link lost');
    for (const w of [...this.#waiters]) w();
  }

  /**
   * Listeners held for this device: on node-ble's Device proxy, its characteristics, and the
   * property waiters (a diagnostic for leak tests).
   */
  get listenerCount(): number {
    let n = emitterListeners(this.device.helper) + this.#waiters.size;
    for (const c of this.chars?.values() ?? []) n += c.listenerCount;
    return n;
  }

  /** Calls `check` now and after every property change until it returns true or `off()` is called. */
  watch(check: () => void): () => void {
    this.#waiters.add(check);
    check();
    return () => this.#waiters.delete(check);
  }

  /** Calls a Device1 method through node-ble's proxy (never node-ble's own connect/disconnect/cancelPair). */
  call(method: 'Connect' | 'Disconnect' | 'Pair' | 'CancelPairing'): Promise<unknown> {
    return this.device.helper.callMethod(method);
  }

  /** Builds the characteristic map from BlueZ's managed objects (no node-ble gatt(): it can hang). */
  loadGatt(objects: ManagedObjects): void {
    this.#disposeChars();
    const services = new Map<string, string>();
    const chars = new Map<string, CharEntry>();
    for (const [p, ifaces] of Object.entries(objects)) {
      const s = ifaces['org.bluez.GattService1'];
      if (s && p.startsWith(`${this.path}/`)) services.set(p, uuidKey(s.UUID!.value as string));
    }
    for (const [p, ifaces] of Object.entries(objects)) {
      const c = ifaces['org.bluez.GattCharacteristic1'];
      if (!c || !p.startsWith(`${this.path}/`)) continue;
      const servicePath = p.slice(0, p.lastIndexOf('/'));
      const service = services.get(servicePath);
      if (!service) continue;
      const characteristic = uuidKey(c.UUID!.value as string);
      const [serviceSeg, charSeg] = p.slice(this.path.length + 1).split('/') as [string, string];
      const entry = new CharEntry(
        p,
        service,
        characteristic,
        (c.Flags?.value as string[]) ?? [],
        () => new this.nb.GattCharacteristic(this.bus, this.adapter, this.#segment, serviceSeg, charSeg),
      );
      const key = `${service}/${characteristic}`;
      if (!chars.has(key)) chars.set(key, entry);
    }
    this.chars = chars;
  }

  /** Forgets the GATT map (BlueZ removed the objects). */
  gattGone(): void {
    this.#disposeChars();
    this.chars = null;
  }

  #disposeChars(): void {
    for (const c of this.chars?.values() ?? []) c.dispose();
  }

  /** Releases every node-ble object and listener of this device. */
  dispose(): void {
    this.#disposeChars();
    this.chars = null;
    this.#waiters.clear();
    this.onLinkLost = null;
    this.device.helper.removeAllListeners('PropertiesChanged');
    this.device.helper.removeListeners();
  }
}
