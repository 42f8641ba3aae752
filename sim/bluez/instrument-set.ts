import { createSimBpMonitor } from '../instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../instruments/sim-instrument.ts';
import type { SimBluezDeviceOptions } from './device.ts';

/** A wrong device clock, as instruments ship or drift: reset to 1970, stuck at 2019, or set to UTC. */
export type ClockFault = '1970' | '2019' | 'utc';

/**
 * The device clock error (device_now - true_now) a clock fault means, for an instrument whose
 * clock shows local wall time with the kit's UTC offset. '1970' and '2019' are where a clock that
 * lost power restarts (Polar H10 falls back to 2019-01-01); 'utc' is a clock set to UTC wall time
 * by an app that ignored the zone.
 */
export function clockSkewMs(fault: ClockFault | undefined, now: Date, utcOffsetMinutes: number): number {
  switch (fault) {
    case '1970':
      return Date.UTC(1970, 0, 1) - utcOffsetMinutes * 60_000 - now.getTime();
    case '2019':
      return Date.UTC(2019, 0, 1) - utcOffsetMinutes * 60_000 - now.getTime();
    case 'utc':
      return -utcOffsetMinutes * 60_000;
    default:
      return 0;
  }
}

/** Settings shared by every instrument of a set. */
export interface InstrumentSetOptions {
  readonly seed: number;
  readonly utcOffsetMinutes: number;
  readonly oximeterRateHz?: number;
  readonly bpIntervalMs?: number;
  readonly clock?: ClockFault;
  /** A fixed passkey for instruments that show one (default: a fresh one per pairing). */
  readonly passkey?: number;
}

/** One simulated instrument and how it appears to BlueZ. */
export interface BluezInstrument {
  readonly instrument: SimInstrument;
  readonly device: SimBluezDeviceOptions;
}

type Factory = (n: number, o: InstrumentSetOptions) => BluezInstrument;

/**
 * The simulated instruments `fieldkit sim bluez`, `npm start` and the benchmark can put behind
 * the simulated BlueZ, by kind. The oximeter pairs Just Works; the cuff pairs by passkey entry
 * like an Omron, but serves its measurements without encryption, so `npm start` reads it with no
 * pairing step.
 */
export const BLUEZ_INSTRUMENTS: Readonly<Record<string, Factory>> = {
  oximeter: (n, o) => {
    const instrument = createSimPulseOximeter({
      id: `sim-plx-${n}`,
      rateHz: o.oximeterRateHz ?? 2,
      seed: o.seed + n * 10,
    });
    return { instrument, device: { peripheral: instrument.peripheral, pairing: 'just-works', rssi: -55 } };
  },
  bp: (n, o) => {
    const instrument = createSimBpMonitor({
      id: `sim-bp-${n}`,
      intervalMs: o.bpIntervalMs ?? 20_000,
      seed: o.seed + 1 + n * 10,
      utcOffsetMinutes: o.utcOffsetMinutes,
      clockSkewMs: clockSkewMs(o.clock, new Date(), o.utcOffsetMinutes),
    });
    return {
      instrument,
      device: {
        peripheral: instrument.peripheral,
        pairing: 'passkey-entry',
        rssi: -62,
        ...(o.passkey === undefined ? {} : { passkey: o.passkey }),
      },
    };
  },
};

/** Builds the named instruments (repeats allowed: `oximeter,oximeter,bp`), numbered per kind. */
export function buildInstrumentSet(kinds: readonly string[], o: InstrumentSetOptions): BluezInstrument[] {
  const seen = new Map<string, number>();
  return kinds.map((kind) => {
    const make = BLUEZ_INSTRUMENTS[kind];
    if (!make)
      throw new Error(`unknown instrument '${kind}' (have: ${Object.keys(BLUEZ_INSTRUMENTS).join(', ')})`);
    const n = (seen.get(kind) ?? 0) + 1;
    seen.set(kind, n);
    return make(n, o);
  });
}
