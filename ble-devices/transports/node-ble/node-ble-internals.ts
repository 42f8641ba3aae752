import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { MessageBus, Variant } from 'dbus-next';

/**
 * The parts of node-ble 1.13 this transport uses, typed. node-ble's public typings hide the
 * `helper` (its per-object D-Bus proxy) and only offer `createBluetooth()`, which opens the
 * system bus itself and lets a connection error crash the process. Constructing node-ble's
 * classes on our own bus connection and calling methods through `helper` is how the transport
 * steps around the library's traps (see node-ble-transport.ts). The shapes are checked at load,
 * so a node-ble upgrade that moves them fails loudly instead of misbehaving.
 */
export interface BusHelper extends EventEmitter {
  callMethod(name: string, ...args: unknown[]): Promise<unknown>;
  props(): Promise<Record<string, unknown>>;
  prop(name: string): Promise<unknown>;
  set(name: string, value: Variant): Promise<void>;
  removeListeners(): void;
}

/** node-ble's Bluetooth (the AgentManager1 entry point). */
export interface NodeBleBluetooth {
  /** Its helper speaks org.bluez.AgentManager1 at /org/bluez. */
  readonly helper: BusHelper;
  adapters(): Promise<string[]>;
}

/** node-ble's Adapter. */
export interface NodeBleAdapter {
  readonly adapter: string;
  readonly helper: BusHelper;
  isPowered(): Promise<boolean>;
}

/** node-ble's Device: we use its helper (props events, methods), never connect()/disconnect(). */
export interface NodeBleDevice {
  readonly helper: BusHelper;
}

/** node-ble's GattCharacteristic. */
export interface NodeBleCharacteristic extends EventEmitter {
  readonly helper: BusHelper;
  readValue(offset?: number): Promise<Buffer>;
  writeValue(
    value: Buffer,
    options: { offset?: number; type: 'request' | 'command' | 'reliable' },
  ): Promise<void>;
  startNotifications(): Promise<void>;
}

/** Constructors of node-ble's classes, bound to a bus connection of our choosing. */
export interface NodeBleClasses {
  readonly version: string;
  readonly Bluetooth: new (bus: MessageBus) => NodeBleBluetooth;
  readonly Adapter: new (bus: MessageBus, adapter: string) => NodeBleAdapter;
  readonly Device: new (bus: MessageBus, adapter: string, device: string) => NodeBleDevice;
  readonly GattCharacteristic: new (
    bus: MessageBus,
    adapter: string,
    device: string,
    service: string,
    characteristic: string,
  ) => NodeBleCharacteristic;
}

let loaded: NodeBleClasses | null = null;

/** Loads node-ble's classes (once). Throws with a clear message when node-ble's layout differs. */
export function loadNodeBle(): NodeBleClasses {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const pkg = require('node-ble/package.json') as { version: string };
  const classes = {
    version: pkg.version,
    Bluetooth: require('node-ble/src/Bluetooth.js') as NodeBleClasses['Bluetooth'],
    Adapter: require('node-ble/src/Adapter.js') as NodeBleClasses['Adapter'],
    Device: require('node-ble/src/Device.js') as NodeBleClasses['Device'],
    GattCharacteristic: require('node-ble/src/GattCharacteristic.js') as NodeBleClasses['GattCharacteristic'],
  };
  for (const [name, ctor] of Object.entries(classes)) {
    if (name !== 'version' && typeof ctor !== 'function')
      throw new Error(
        `node-ble ${pkg.version}: src/${name}.js is not a class; this transport was written for 1.13`,
      );
  }
  loaded = classes;
  return classes;
}
