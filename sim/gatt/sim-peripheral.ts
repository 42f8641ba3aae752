import { uuidKey } from '../../ble-devices/codecs/uuid.ts';
import type { SubscribeMode } from '../../ble-devices/transport.ts';

/** How a simulated characteristic may be used, as GATT properties. */
export interface SimCharacteristicSpec {
  readonly properties: ReadonlyArray<'read' | 'write' | 'notify' | 'indicate'>;
  /** Initial value for reads. */
  readonly value?: Uint8Array;
  /** Called on a write from the collector; may throw to reject it like an ATT error. */
  readonly onWrite?: (value: Uint8Array) => void;
  /**
   * 'encrypted': reads, writes and CCCD writes need an encrypted (bonded) link, as Omron cuffs and
   * Accu-Chek meters demand. Enforced by links that model bonding (the simulated BlueZ).
   */
  readonly security?: 'encrypted';
}

/** One characteristic as a GATT server would enumerate it. */
export interface SimCharacteristicInfo {
  readonly service: string;
  readonly characteristic: string;
  readonly properties: SimCharacteristicSpec['properties'];
  readonly security?: 'encrypted';
}

/** A subscriber's callback for one characteristic. */
type Listener = (value: Uint8Array) => void;

/** Faults a simulated instrument can inject, so every flow can be tested without hardware. */
export interface SimFaults {
  /** Probability (0..1) that a notification is lost on air. */
  readonly dropRate?: number;
  /** Probability (0..1) that a notification arrives with a corrupted (truncated) payload. */
  readonly corruptRate?: number;
  /** Drop the link after this many notifications (once), to exercise reconnection. */
  readonly disconnectAfter?: number;
}

/**
 * An in-memory GATT server for one simulated instrument: services, characteristics, CCCD state
 * and the subscribe mode each characteristic demands (a wrong mode is refused, as real stacks do).
 * Instrument simulators build on it and push spec-exact bytes through `emit`.
 */
export class SimPeripheral {
  readonly #chars = new Map<string, SimCharacteristicSpec & { current: Uint8Array }>();
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #disconnectListeners = new Set<(reason: string) => void>();
  #sent = 0;
  #connected = false;
  #random: () => number;

  constructor(
    readonly id: string,
    readonly name: string,
    services: Readonly<Record<string, Readonly<Record<string, SimCharacteristicSpec>>>>,
    readonly faults: SimFaults = {},
    random: () => number = Math.random,
  ) {
    this.#random = random;
    for (const [service, chars] of Object.entries(services)) {
      for (const [char, spec] of Object.entries(chars)) {
        this.#chars.set(key(service, char), { ...spec, current: spec.value ?? new Uint8Array() });
      }
    }
  }

  /** Every characteristic in declaration order (service by service), for GATT servers such as the simulated BlueZ. */
  characteristics(): SimCharacteristicInfo[] {
    return [...this.#chars.entries()].map(([k, spec]) => {
      const [service, characteristic] = k.split('/') as [string, string];
      return {
        service,
        characteristic,
        properties: spec.properties,
        ...(spec.security ? { security: spec.security } : {}),
      };
    });
  }

  /** Advertised service UUIDs (short form). */
  get services(): string[] {
    return [...new Set([...this.#chars.keys()].map((k) => k.split('/')[0]!))];
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Called by the transport when a collector connects. */
  attach(): void {
    this.#connected = true;
  }

  /** Called by the transport when the collector disconnects: all CCCDs reset (unbonded client). */
  detach(reason: string): void {
    if (!this.#connected) return;
    this.#connected = false;
    this.#listeners.clear();
    for (const l of this.#disconnectListeners) l(reason);
  }

  /** How many link-loss listeners are registered (a diagnostic: connections must not leak them). */
  get detachListenerCount(): number {
    return this.#disconnectListeners.size;
  }

  /** Link-loss listeners (the transport's connection object registers here). */
  onDetach(listener: (reason: string) => void): () => void {
    this.#disconnectListeners.add(listener);
    return () => this.#disconnectListeners.delete(listener);
  }

  #spec(service: string, char: string): SimCharacteristicSpec & { current: Uint8Array } {
    const spec = this.#chars.get(key(service, char));
    if (!spec) throw new Error(`no characteristic ${uuidKey(char)} in service ${uuidKey(service)}`);
    return spec;
  }

  has(service: string, char: string): boolean {
    return this.#chars.has(key(service, char));
  }

  read(service: string, char: string): Uint8Array {
    const spec = this.#spec(service, char);
    if (!spec.properties.includes('read')) throw new Error(`characteristic ${uuidKey(char)} is not readable`);
    return spec.current.slice();
  }

  write(service: string, char: string, value: Uint8Array): void {
    const spec = this.#spec(service, char);
    if (!spec.properties.includes('write'))
      throw new Error(`characteristic ${uuidKey(char)} is not writable`);
    spec.onWrite?.(value);
    spec.current = value.slice();
  }

  /** Sets the value reads return (battery level, features). */
  setValue(service: string, char: string, value: Uint8Array): void {
    this.#spec(service, char).current = value.slice();
  }

  subscribe(service: string, char: string, mode: SubscribeMode, listener: Listener): () => void {
    const spec = this.#spec(service, char);
    if (!spec.properties.includes(mode)) {
      throw new Error(`characteristic ${uuidKey(char)} does not support ${mode} (CCCD value refused)`);
    }
    const k = key(service, char);
    const set = this.#listeners.get(k) ?? new Set();
    set.add(listener);
    this.#listeners.set(k, set);
    return () => set.delete(listener);
  }

  /** True while a collector listens to the characteristic (simulators stay idle otherwise). */
  isSubscribed(service: string, char: string): boolean {
    return (this.#listeners.get(key(service, char))?.size ?? 0) > 0;
  }

  /** Sends a notification/indication to subscribers, applying the configured faults. */
  emit(service: string, char: string, value: Uint8Array): void {
    const set = this.#listeners.get(key(service, char));
    if (!this.#connected || !set || set.size === 0) return;
    this.#sent++;
    if (this.faults.disconnectAfter !== undefined && this.#sent === this.faults.disconnectAfter) {
      this.detach('simulated link loss');
      return;
    }
    if (this.#random() < (this.faults.dropRate ?? 0)) return;
    const payload =
      this.#random() < (this.faults.corruptRate ?? 0)
        ? value.slice(0, Math.max(0, value.length - 2))
        : value.slice();
    for (const l of [...set]) l(payload);
  }
}

function key(service: string, char: string): string {
  return `${uuidKey(service)}/${uuidKey(char)}`;
}
