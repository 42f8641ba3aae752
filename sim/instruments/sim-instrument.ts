import { SimPeripheral, type SimCharacteristicSpec, type SimFaults } from '../gatt/sim-peripheral.ts';
import { seededRandom } from '../random.ts';
import { SimDeviceClock, type ClockMode } from './device-clock.ts';
import { SimBattery, type SimBatteryOptions } from './sim-battery.ts';

/** A simulated instrument: its GATT server plus the clock that drives its measurements. */
export interface SimInstrument {
  readonly peripheral: SimPeripheral;
  /** The device's own wall clock (Current Time), when the instrument has one. */
  readonly clock?: SimDeviceClock;
  /** The draining battery behind Battery Level, when the instrument has one. */
  readonly battery?: SimBattery;
  /** Starts the instrument's timers; it only transmits while a collector is subscribed. */
  start(): void;
  stop(): void;
}

/** Device Information strings every simulated instrument exposes (0x180A). */
export function deviceInformation(
  manufacturer: string,
  model: string,
  serial: string,
  firmware = '1.0.0',
  hardware = 'A',
): Record<string, SimCharacteristicSpec> {
  const enc = new TextEncoder();
  return {
    '2a29': { properties: ['read'], value: enc.encode(manufacturer) },
    '2a24': { properties: ['read'], value: enc.encode(model) },
    '2a25': { properties: ['read'], value: enc.encode(serial) },
    '2a26': { properties: ['read'], value: enc.encode(firmware) },
    '2a27': { properties: ['read'], value: enc.encode(hardware) },
  };
}

/** Options every simulated instrument takes (identity, clock, battery, faults, seed). */
export interface SimCommonOptions {
  readonly id: string;
  readonly name?: string;
  readonly seed?: number;
  readonly faults?: SimFaults;
  /** Serial Number String (default derived from the id). */
  readonly serial?: string;
  readonly firmware?: string;
  /** How the device clock is wrong (default right). */
  readonly clock?: ClockMode;
  /** Extra device clock error in ms on top of `clock` (device ahead when positive). */
  readonly clockSkewMs?: number;
  /** The local zone the device clock is meant to show (the kit's), minutes east of UTC. */
  readonly utcOffsetMinutes?: number;
  /** Current Time without write: the kit can measure the offset but not set it. */
  readonly clockReadOnly?: boolean;
  /** For 1970/2019 clocks: when the reset happened (default: before the oldest stored record). */
  readonly clockResetAtMs?: number;
  readonly battery?: SimBatteryOptions;
}

/** What {@link buildInstrument} returns: the peripheral and its shared parts. */
export interface BuiltInstrument {
  readonly peripheral: SimPeripheral;
  readonly clock: SimDeviceClock;
  readonly battery: SimBattery;
  /** The seeded source for the instrument's values (faults use their own). */
  readonly random: () => number;
}

/**
 * Builds a simulated instrument's GATT server: its profile services plus the services every one
 * of them has here: Device Information (model, serial, firmware), Battery with drain, and
 * Current Time backed by a device clock that can be wrong in the ways real ones are.
 */
export function buildInstrument(
  o: SimCommonOptions,
  defaults: { readonly name: string; readonly model: string; readonly seed: number },
  services: Readonly<Record<string, Readonly<Record<string, SimCharacteristicSpec>>>>,
): BuiltInstrument {
  const seed = o.seed ?? defaults.seed;
  const clock = new SimDeviceClock({
    mode: o.clock ?? 'correct',
    utcOffsetMinutes: o.utcOffsetMinutes ?? 0,
    skewMs: o.clockSkewMs ?? 0,
    ...(o.clockResetAtMs === undefined ? {} : { resetAtMs: o.clockResetAtMs }),
  });
  const battery = new SimBattery(o.battery);
  const peripheral = new SimPeripheral(
    o.id,
    o.name ?? defaults.name,
    {
      ...services,
      '180a': deviceInformation(
        'Field kit simulators',
        defaults.model,
        o.serial ?? `${defaults.model}-${o.id}`,
        o.firmware,
      ),
      '180f': battery.service(),
      '1805': clock.service(o.clockReadOnly ?? false),
    },
    o.faults,
    seededRandom(seed + 7),
  );
  battery.attach(peripheral);
  return { peripheral, clock, battery, random: seededRandom(seed) };
}
