import { batteryLevel } from '../../ble-devices/codecs/battery.ts';
import type { SimCharacteristicSpec, SimPeripheral } from '../gatt/sim-peripheral.ts';

/** Options of {@link SimBattery}. */
export interface SimBatteryOptions {
  /** Level at creation, percent (default 90). */
  readonly level?: number;
  /** Percent lost per measurement taken (default 0.05). */
  readonly drainPerMeasurement?: number;
  /** Percent lost per hour of running (default 0.5). */
  readonly drainPerHour?: number;
  readonly now?: () => number;
}

/**
 * A draining battery behind Battery Level (0x2A19, read + notify): it loses charge with time and
 * with every measurement, and notifies a subscribed collector whenever the whole percent changes.
 */
export class SimBattery {
  readonly #now: () => number;
  readonly #start: number;
  #spent = 0;
  #lastShown: number;
  #peripheral: SimPeripheral | null = null;

  constructor(readonly options: SimBatteryOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    this.#lastShown = this.level;
  }

  /** The level now, whole percent (rounded up, as a fresh battery shows its full level), never below 0. */
  get level(): number {
    const hours = (this.#now() - this.#start) / 3_600_000;
    const left = (this.options.level ?? 90) - this.#spent - hours * (this.options.drainPerHour ?? 0.5);
    return Math.max(0, Math.min(100, Math.ceil(left)));
  }

  /** Lets the battery notify through its instrument's peripheral. */
  attach(peripheral: SimPeripheral): void {
    this.#peripheral = peripheral;
  }

  /** Charges one measurement (or `count`) to the battery; notifies if the shown level changed. */
  measured(count = 1): void {
    this.#spent += count * (this.options.drainPerMeasurement ?? 0.05);
    const level = this.level;
    if (level !== this.#lastShown) {
      this.#lastShown = level;
      this.#peripheral?.emit('180f', '2a19', batteryLevel.encode(level));
    }
  }

  /** The Battery Service (0x180F). */
  service(): Record<string, SimCharacteristicSpec> {
    return { '2a19': { properties: ['read', 'notify'], onRead: () => batteryLevel.encode(this.level) } };
  }
}
