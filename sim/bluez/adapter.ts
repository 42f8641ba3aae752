import type { Variant } from 'dbus-next';
import { longUuid } from '../../ble-devices/codecs/uuid.ts';
import { BluezErrors } from './bluez-errors.ts';
import type { DbusInterface, DbusProperty } from './dbus/object-tree.ts';

/** A client's discovery filter (SetDiscoveryFilter), kept per D-Bus sender as bluetoothd does. */
export interface DiscoveryFilter {
  readonly uuids: readonly string[];
  readonly rssi: number | null;
  readonly transport: 'auto' | 'bredr' | 'le';
}

/** What the adapter object needs from the simulated bluetoothd. */
export interface AdapterHost {
  readonly address: string;
  startDiscovery(sender: string): void;
  stopDiscovery(sender: string): void;
  setFilter(sender: string, filter: DiscoveryFilter | null): void;
  discovering(): boolean;
  removeDevice(path: string): void;
  changed(names: string[]): void;
}

const FILTER_KEYS: Readonly<Record<string, string>> = {
  UUIDs: 'as',
  RSSI: 'n',
  Pathloss: 'q',
  Transport: 's',
  DuplicateData: 'b',
  Discoverable: 'b',
  Pattern: 's',
};

/**
 * org.bluez.Adapter1 of the simulated controller hci0: discovery sessions per client (a second
 * StartDiscovery from the same client is InProgress, a StopDiscovery without one fails),
 * SetDiscoveryFilter with BlueZ's keys and checks, RemoveDevice, and the adapter properties
 * bluetoothctl shows.
 */
export function adapterInterface(host: AdapterHost): DbusInterface {
  let alias = 'fieldkit-sim';
  let powered = true;
  let discoverable = false;
  let discoverableTimeout = 180;
  let pairable = true;
  let pairableTimeout = 0;
  const ro = (signature: string, get: () => unknown): DbusProperty => ({ signature, access: 'read', get });
  const rw = <T>(signature: string, get: () => T, set: (v: T) => void, name: string): DbusProperty => ({
    signature,
    access: 'readwrite',
    get,
    set: (v) => {
      set(v as T);
      host.changed([name]);
    },
  });
  return {
    name: 'org.bluez.Adapter1',
    properties: {
      Address: ro('s', () => host.address),
      AddressType: ro('s', () => 'public'),
      Name: ro('s', () => 'fieldkit-sim'),
      Alias: rw(
        's',
        () => alias,
        (v: string) => (alias = v === '' ? 'fieldkit-sim' : v),
        'Alias',
      ),
      Class: ro('u', () => 0x00010c),
      Powered: rw(
        'b',
        () => powered,
        (v: boolean) => (powered = v),
        'Powered',
      ),
      PowerState: ro('s', () => (powered ? 'on' : 'off')),
      Discoverable: rw(
        'b',
        () => discoverable,
        (v: boolean) => (discoverable = v),
        'Discoverable',
      ),
      DiscoverableTimeout: rw(
        'u',
        () => discoverableTimeout,
        (v: number) => (discoverableTimeout = v),
        'DiscoverableTimeout',
      ),
      Pairable: rw(
        'b',
        () => pairable,
        (v: boolean) => (pairable = v),
        'Pairable',
      ),
      PairableTimeout: rw(
        'u',
        () => pairableTimeout,
        (v: number) => (pairableTimeout = v),
        'PairableTimeout',
      ),
      Discovering: ro('b', () => host.discovering()),
      UUIDs: ro('as', () => ['1800', '1801', '180a'].map((u) => longUuid(u))),
      Modalias: ro('s', () => 'usb:v1D6Bp0246d0542'),
      Roles: ro('as', () => ['central', 'peripheral']),
    },
    methods: {
      StartDiscovery: {
        in: '',
        out: '',
        call: (_b, msg) => {
          if (!powered) throw BluezErrors.notReady();
          host.startDiscovery(msg.sender);
          return [];
        },
      },
      StopDiscovery: {
        in: '',
        out: '',
        call: (_b, msg) => {
          if (!powered) throw BluezErrors.notReady();
          host.stopDiscovery(msg.sender);
          return [];
        },
      },
      RemoveDevice: {
        in: 'o',
        out: '',
        inArgs: ['device'],
        call: ([path]) => {
          host.removeDevice(path as string);
          return [];
        },
      },
      SetDiscoveryFilter: {
        in: 'a{sv}',
        out: '',
        inArgs: ['filter'],
        call: ([filter], msg) => {
          host.setFilter(msg.sender, parseFilter(filter as Record<string, Variant>));
          return [];
        },
      },
      GetDiscoveryFilters: {
        in: '',
        out: 'as',
        outArgs: ['filters'],
        call: () => [Object.keys(FILTER_KEYS)],
      },
    },
  };
}

function parseFilter(raw: Record<string, Variant>): DiscoveryFilter | null {
  const keys = Object.keys(raw);
  if (keys.length === 0) return null;
  let uuids: string[] = [];
  let rssi: number | null = null;
  let transport: DiscoveryFilter['transport'] = 'auto';
  for (const k of keys) {
    const v = raw[k]!;
    if (FILTER_KEYS[k] === undefined || v.signature !== FILTER_KEYS[k]) throw BluezErrors.invalidArguments();
    if (k === 'UUIDs') uuids = (v.value as string[]).map((u) => longUuid(u));
    if (k === 'RSSI') rssi = v.value as number;
    if (k === 'Transport') {
      const t = v.value as string;
      if (t !== 'auto' && t !== 'bredr' && t !== 'le') throw BluezErrors.invalidArguments();
      transport = t;
    }
  }
  return { uuids, rssi, transport };
}
