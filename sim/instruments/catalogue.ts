import type { SubscribeMode } from '../../ble-devices/transport.ts';
import type { SimFaults } from '../gatt/sim-peripheral.ts';
import { createSimBpMonitor } from './bp-monitor.ts';
import type { ClockMode } from './device-clock.ts';
import { createSimGlucoseMeter } from './glucose-meter.ts';
import { createSimHeartRate } from './heart-rate.ts';
import { createSimPulseOximeter } from './pulse-oximeter.ts';
import type { ResendPolicy } from './record-memory.ts';
import type { SimInstrument } from './sim-instrument.ts';
import { createSimThermometer } from './thermometer.ts';
import { createSimScale } from './weight-scale.ts';

/** Every kind of simulated instrument, by the name the CLI and `sim bluez --instruments` use. */
export const SIM_KINDS = ['oximeter', 'bp', 'thermometer', 'glucose', 'scale', 'heart-rate'] as const;
/** See {@link SIM_KINDS}. */
export type SimKind = (typeof SIM_KINDS)[number];

/** One simulated instrument described as data (CLI flags, test fixtures, the simulated BlueZ). */
export interface SimInstrumentSpec {
  readonly kind: SimKind;
  readonly id?: string;
  readonly name?: string;
  readonly seed?: number;
  /** Frames per second (oximeter, heart rate) or measurements per second (bp, thermometer, scale). */
  readonly rate?: number;
  readonly faults?: SimFaults;
  readonly clock?: ClockMode;
  readonly clockSkewMs?: number;
  readonly clockReadOnly?: boolean;
  readonly utcOffsetMinutes?: number;
  readonly serial?: string;
  /** Stored records at start: glucose RACP records (default 500), or a cuff/thermometer/scale memory. */
  readonly records?: number;
  /** Which memory records a cuff/thermometer/scale sends on connection. */
  readonly resend?: ResendPolicy;
  /** Glucose fault: the link drops after this many records of the first RACP transfer. */
  readonly racpDropAfter?: number;
  /** Glucose: ms between records of a RACP transfer. */
  readonly recordIntervalMs?: number;
  /** Oximeter: also spot-check readings this often. */
  readonly spotCheckIntervalMs?: number;
  /** Scale: also body composition. */
  readonly bodyComposition?: boolean;
  /** Battery level at start, percent. */
  readonly battery?: number;
}

/** The streams a collector subscribes to for each kind (the `sim` CLI prints them). */
export const SIM_STREAMS: Readonly<
  Record<SimKind, ReadonlyArray<{ service: string; char: string; mode: SubscribeMode; optional?: boolean }>>
> = {
  oximeter: [
    { service: '1822', char: '2a5f', mode: 'notify', optional: true },
    { service: '1822', char: '2a5e', mode: 'indicate', optional: true },
  ],
  bp: [
    { service: '1810', char: '2a35', mode: 'indicate' },
    { service: '1810', char: '2a36', mode: 'notify' },
  ],
  thermometer: [
    { service: '1809', char: '2a1c', mode: 'indicate' },
    { service: '1809', char: '2a1e', mode: 'notify' },
  ],
  glucose: [
    { service: '1808', char: '2a18', mode: 'notify' },
    { service: '1808', char: '2a34', mode: 'notify' },
    { service: '1808', char: '2a52', mode: 'indicate' },
  ],
  scale: [
    { service: '181d', char: '2a9d', mode: 'indicate' },
    { service: '181b', char: '2a9c', mode: 'indicate', optional: true },
  ],
  'heart-rate': [{ service: '180d', char: '2a37', mode: 'notify' }],
};

const intervalOf = (rate: number | undefined, fallbackMs: number): number =>
  rate === undefined ? fallbackMs : Math.max(50, Math.round(1000 / rate));

/** Creates a simulated instrument from its description (not started). */
export function createSimInstrument(spec: SimInstrumentSpec): SimInstrument {
  const id = spec.id ?? `sim-${spec.kind}-1`;
  const common = {
    id,
    ...(spec.name === undefined ? {} : { name: spec.name }),
    ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    ...(spec.faults === undefined ? {} : { faults: spec.faults }),
    ...(spec.clock === undefined ? {} : { clock: spec.clock }),
    ...(spec.clockSkewMs === undefined ? {} : { clockSkewMs: spec.clockSkewMs }),
    ...(spec.clockReadOnly === undefined ? {} : { clockReadOnly: spec.clockReadOnly }),
    ...(spec.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: spec.utcOffsetMinutes }),
    ...(spec.serial === undefined ? {} : { serial: spec.serial }),
    ...(spec.battery === undefined ? {} : { battery: { level: spec.battery } }),
  };
  const memory = {
    ...(spec.records === undefined ? {} : { memory: spec.records }),
    ...(spec.resend === undefined ? {} : { resend: spec.resend }),
  };
  switch (spec.kind) {
    case 'oximeter':
      return createSimPulseOximeter({
        ...common,
        rateHz: spec.rate ?? 2,
        ...(spec.spotCheckIntervalMs === undefined ? {} : { spotCheckIntervalMs: spec.spotCheckIntervalMs }),
      });
    case 'bp':
      return createSimBpMonitor({
        ...common,
        ...memory,
        intervalMs: intervalOf(spec.rate, 20_000),
        stepMs: 100,
      });
    case 'thermometer':
      return createSimThermometer({
        ...common,
        ...memory,
        intervalMs: intervalOf(spec.rate, 30_000),
        stepMs: 100,
      });
    case 'scale':
      return createSimScale({
        ...common,
        ...memory,
        intervalMs: intervalOf(spec.rate, 30_000),
        ...(spec.bodyComposition === undefined ? {} : { bodyComposition: spec.bodyComposition }),
      });
    case 'heart-rate':
      return createSimHeartRate({ ...common, rateHz: spec.rate ?? 1 });
    case 'glucose':
      return createSimGlucoseMeter({
        ...common,
        ...(spec.records === undefined ? {} : { records: spec.records }),
        ...(spec.racpDropAfter === undefined ? {} : { racpDropAfter: spec.racpDropAfter }),
        ...(spec.recordIntervalMs === undefined ? {} : { recordIntervalMs: spec.recordIntervalMs }),
      });
  }
}
