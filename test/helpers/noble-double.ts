import { EventEmitter } from 'node:events';
import type {
  NobleCharacteristic,
  NobleLike,
  NoblePeripheral,
  NobleService,
} from '../../ble-devices/transports/noble/noble-api.ts';
import type { SimCharacteristicSpec, SimPeripheral } from '../../sim/gatt/sim-peripheral.ts';
import { uuidKey } from '../../ble-devices/codecs/uuid.ts';

/**
 * A stand-in for @abandonware/noble's API over a SimPeripheral, for tests only: noble's real
 * path needs an HCI socket (kernel Bluetooth), which this machine does not have, so the transport
 * adapter is exercised against noble's API contract (events, `isNotification`, CCCD choice) as
 * noble.js implements it, not against a radio.
 */
type Spec = Readonly<Record<string, Readonly<Record<string, SimCharacteristicSpec>>>>;

const nobleUuid = (u: string): string => uuidKey(u).replace(/-/g, '');

class CharacteristicDouble extends EventEmitter implements NobleCharacteristic {
  readonly uuid: string;
  readonly properties: string[];
  #off: (() => void) | null = null;

  constructor(
    private readonly sim: SimPeripheral,
    private readonly service: string,
    private readonly char: string,
    spec: SimCharacteristicSpec,
  ) {
    super();
    this.uuid = nobleUuid(char);
    this.properties = [...spec.properties];
  }

  readAsync(): Promise<Buffer> {
    const value = Buffer.from(this.sim.read(this.service, this.char));
    // noble emits 'data' for a read too, with isNotification false.
    this.emit('data', value, false);
    return Promise.resolve(value);
  }

  writeAsync(data: Buffer): Promise<void> {
    this.sim.write(this.service, this.char, new Uint8Array(data));
    return Promise.resolve();
  }

  subscribeAsync(): Promise<void> {
    // As noble's HCI bindings: notify when the characteristic offers it, else indicate.
    const mode = this.properties.includes('notify') ? 'notify' : 'indicate';
    this.#off ??= this.sim.subscribe(this.service, this.char, mode, (v) =>
      setImmediate(() => this.emit('data', Buffer.from(v), true)),
    );
    return Promise.resolve();
  }

  unsubscribeAsync(): Promise<void> {
    this.#off?.();
    this.#off = null;
    return Promise.resolve();
  }
}

class PeripheralDouble extends EventEmitter implements NoblePeripheral {
  readonly id: string;
  readonly advertisement: { localName: string; serviceUuids: string[] };
  readonly rssi = -55;
  state: NoblePeripheral['state'] = 'disconnected';

  constructor(
    private readonly sim: SimPeripheral,
    private readonly spec: Spec,
  ) {
    super();
    this.id = sim.id;
    this.advertisement = { localName: sim.name, serviceUuids: sim.services.map(nobleUuid) };
    sim.onDetach((reason) => {
      if (this.state !== 'connected') return;
      this.state = 'disconnected';
      this.emit('disconnect', reason);
    });
  }

  connectAsync(): Promise<void> {
    this.sim.attach();
    this.state = 'connected';
    return Promise.resolve();
  }

  disconnectAsync(): Promise<void> {
    this.sim.detach('local host disconnected');
    return Promise.resolve();
  }

  discoverAllServicesAndCharacteristicsAsync(): Promise<{ services: NobleService[] }> {
    const services = Object.entries(this.spec).map(([s, chars]) => ({
      uuid: nobleUuid(s),
      characteristics: Object.entries(chars).map(
        ([c, spec]) => new CharacteristicDouble(this.sim, s, c, spec),
      ),
    }));
    return Promise.resolve({ services });
  }
}

/** The noble singleton's double: scanning reports the given peripherals. */
export class NobleDouble extends EventEmitter implements NobleLike {
  readonly #peripherals: PeripheralDouble[];

  constructor(
    peripherals: ReadonlyArray<{ sim: SimPeripheral; spec: Spec }>,
    public state = 'poweredOn',
  ) {
    super();
    this.#peripherals = peripherals.map((p) => new PeripheralDouble(p.sim, p.spec));
  }

  startScanningAsync(): Promise<void> {
    setImmediate(() => this.#peripherals.forEach((p) => this.emit('discover', p)));
    return Promise.resolve();
  }

  stopScanningAsync(): Promise<void> {
    return Promise.resolve();
  }

  /** Listeners on the noble singleton (a leak check). */
  get listenerTotal(): number {
    return this.listenerCount('discover') + this.listenerCount('stateChange');
  }
}
