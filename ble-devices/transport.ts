/**
 * The one interface every instrument link implements: today the simulator (`sim/transport/`);
 * the node-ble/BlueZ, noble and serial (GATT-like bridges) transports are to come and must
 * implement it and pass test/transport-acceptance.ts. Drivers depend on this file only, so a
 * driver tested against the simulator is meant to run unchanged against a real radio.
 */

/** An instrument's stable identity on a transport (a BLE address, a pty path, a sim id). */
export type DeviceId = string & { readonly __deviceId: true };

/** Brands a string as a {@link DeviceId} at the edge where it is read from a transport or config. */
export function asDeviceId(id: string): DeviceId {
  return id as DeviceId;
}

/** What a scan reports: enough to pick a driver before connecting. */
export interface DiscoveredDevice {
  readonly id: DeviceId;
  readonly name: string;
  /** 16-bit SIG service UUIDs as lower-case 4-hex strings ('1822'), or full 128-bit forms. */
  readonly services: readonly string[];
  readonly rssi?: number;
}

/** How a characteristic reports values: the CCCD value written decides which. */
export type SubscribeMode = 'notify' | 'indicate';

/** Stops a subscription; resolves once the CCCD write to disable it finished (or the link is gone). */
export type Unsubscribe = () => Promise<void>;

/** A live GATT link to one instrument. Every operation is serialised by the implementation. */
export interface GattConnection {
  readonly id: DeviceId;
  read(service: string, characteristic: string, signal?: AbortSignal): Promise<Uint8Array>;
  write(service: string, characteristic: string, value: Uint8Array, signal?: AbortSignal): Promise<void>;
  subscribe(
    service: string,
    characteristic: string,
    mode: SubscribeMode,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe>;
  /** Registers a listener for link loss; returns a function that removes it. */
  onDisconnect(listener: (reason: string) => void): () => void;
  disconnect(): Promise<void>;
}

/**
 * What pairing asks of the person (BlueZ's org.bluez.Agent1 requests). The instrument manager
 * relays each prompt to the tablet and the tablet's answer back, so nobody touches the laptop.
 */
export type PairingPrompt =
  /** RequestPasskey: type the 6-digit passkey the instrument shows; answer with the number. */
  | { readonly kind: 'enter-passkey' }
  /** RequestConfirmation: does the instrument show this passkey? Answer true or false. */
  | { readonly kind: 'confirm-passkey'; readonly passkey: number }
  /** DisplayPasskey: type this passkey on the instrument; no answer expected. */
  | { readonly kind: 'display-passkey'; readonly passkey: number }
  /** RequestAuthorization: allow pairing without a passkey ("Just Works")? Answer true or false. */
  | { readonly kind: 'authorize' };

/** The person's answer to a {@link PairingPrompt}: a passkey, a yes/no, or nothing for display. */
export type PairingAnswer = number | boolean | undefined;

/** Answers pairing prompts; rejects (or the signal aborts) when the person cancels. */
export type PairingResponder = (prompt: PairingPrompt, signal: AbortSignal) => Promise<PairingAnswer>;

/**
 * Bonding, for transports that can keep keys (BlueZ). Omron cuffs and Accu-Chek meters refuse
 * measurements until bonded; noble cannot bond, so it has no `pairing`.
 */
export interface TransportPairing {
  /** Pairs and bonds, asking `respond` for passkeys; resolves once bonded. */
  pair(id: DeviceId, respond: PairingResponder, signal?: AbortSignal): Promise<void>;
  /** Whether the instrument holds a bond with this kit. */
  isBonded(id: DeviceId): Promise<boolean>;
  /** Forgets the bond on the kit's side (BlueZ RemoveDevice). */
  removeBond(id: DeviceId): Promise<void>;
}

/** A way to reach instruments: scan, connect, close. */
export interface Transport {
  readonly kind: 'sim' | 'node-ble' | 'noble' | 'serial';
  scan(options: { readonly timeoutMs: number; readonly signal?: AbortSignal }): Promise<DiscoveredDevice[]>;
  connect(id: DeviceId, signal?: AbortSignal): Promise<GattConnection>;
  /** Present when the transport can bond (see {@link TransportPairing}). */
  readonly pairing?: TransportPairing;
  close(): Promise<void>;
}

/** Typed failures of a transport: callers branch on `code`, never on message text. */
export class TransportError extends Error {
  constructor(
    readonly code:
      | 'not_found'
      | 'not_connected'
      | 'no_such_characteristic'
      | 'not_permitted'
      | 'aborted'
      | 'timeout'
      | 'unavailable'
      | 'value_too_long'
      /** The instrument requires a bond (encryption) for this operation. */
      | 'not_bonded'
      /** Pairing failed: wrong passkey, refused, cancelled or timed out (message says which). */
      | 'pairing_failed',
    message: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}
