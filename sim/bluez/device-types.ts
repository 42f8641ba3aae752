import type { SimPeripheral } from '../gatt/sim-peripheral.ts';
import type { AgentRegistry } from './agents.ts';
import type { ObjectTree } from './dbus/object-tree.ts';
import type { WriteRecord } from './gatt.ts';
import type { PairingMethod } from './pairing.ts';

/** Faults one simulated instrument can show on the BlueZ side. */
export interface SimBluezDeviceFaults {
  /** The next N Connect() attempts abort (org.bluez.Error.Failed: le-connection-abort-by-local). */
  connectAborts?: number;
  /** After Connect, ServicesResolved never turns true (node-ble's gatt() would wait forever). */
  servicesNeverResolve?: boolean;
  /** Drop the link after this many notifications on one characteristic (a RACP transfer cut short). */
  dropAfter?: { readonly characteristic: string; count: number };
  /** The instrument refuses the passkey even when it is right (a wrong-passkey outcome). */
  rejectPasskey?: boolean;
}

/** How one simulated instrument appears to BlueZ. */
export interface SimBluezDeviceOptions {
  readonly peripheral: SimPeripheral;
  /** Default: a stable random static address derived from the peripheral id. */
  readonly address?: string;
  readonly pairing?: PairingMethod;
  /** The passkey the instrument shows; default a fresh random one per attempt. */
  readonly passkey?: number;
  readonly rssi?: number;
  readonly manufacturerData?: Readonly<Record<number, Uint8Array>>;
  readonly serviceData?: Readonly<Record<string, Uint8Array>>;
  /**
   * ATT MTU after exchange (default 23: many instruments never raise it). Notifications and
   * indications carry at most MTU - 3 bytes; longer values arrive cut, as over the air.
   */
  readonly mtu?: number;
  /** Whether the instrument accepts prepare/execute (reliable, long) writes. Default false. */
  readonly queuedWrites?: boolean;
  /** Services served only over an encrypted (bonded) link, as Omron cuffs and Accu-Chek meters do. */
  readonly encryptedServices?: readonly string[];
}

/** Timings and callbacks a device takes from the simulated bluetoothd. */
export interface DeviceHost {
  tree(): ObjectTree;
  readonly agents: AgentRegistry;
  readonly timing: {
    readonly connectMs: number;
    readonly connectTimeoutMs: number;
    readonly resolveMs: number;
    readonly typingMs: number;
  };
  now(): number;
  random(): number;
  recordWrite(rec: WriteRecord): void;
  event(e: SimBluezEvent): void;
}

/** What the simulated bluetoothd reports to a developer or a test (the CLI prints these). */
export type SimBluezEvent =
  | { readonly type: 'passkey'; readonly address: string; readonly name: string; readonly passkey: number }
  | { readonly type: 'connected' | 'resolved' | 'paired'; readonly address: string }
  | { readonly type: 'disconnected'; readonly address: string; readonly reason: string }
  | { readonly type: 'pairing-failed'; readonly address: string; readonly error: string }
  | { readonly type: 'removed'; readonly address: string }
  /** A notification longer than ATT_MTU - 3 arrived cut (first time per characteristic). */
  | {
      readonly type: 'truncated';
      readonly address: string;
      readonly characteristic: string;
      readonly length: number;
      readonly delivered: number;
    };
