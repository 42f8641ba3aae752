import type { SimBluezDeviceOptions } from '../../sim/bluez/index.ts';
import { PMD_DATA } from '../../ble-devices/codecs/polar-pmd/pmd-tables.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import { createSimPolarH10 } from '../../sim/instruments/polar-h10.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { frameKey } from './matching.ts';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** One notification as the instrument sent it. */
export interface Emitted {
  readonly id: string;
  readonly characteristic: string;
  /** What the kit's side is matched on (bench/instruments/matching.ts: frameKey). */
  readonly key: string;
  readonly at: number;
}

/** The benchmark's ECG strap (its PMD data notifications are timed to the pipeline, not a commit). */
export const ECG_ID = 'bench-h10-1';

/** The characteristic the ECG's samples arrive on, as the simulator names it. */
export const ECG_CHARACTERISTIC = PMD_DATA;

/**
 * The benchmark's 12 instruments at their highest rates: 7 PLX oximeters at 60 frames/s (the top
 * of what real units send), 4 BP cuffs measuring every second with cuff-pressure notifications
 * while inflating, and a Polar H10 streaming ECG at 130 Hz (73 samples per notification, as the
 * strap sends at MTU 232) with its heart rate every second.
 */
export function fleet(seed = 1): SimInstrument[] {
  const out: SimInstrument[] = [createSimPolarH10({ id: ECG_ID, seed: seed + 40, clock: 'utc' })];
  for (let i = 1; i <= 7; i++)
    out.push(createSimPulseOximeter({ id: `bench-plx-${i}`, rateHz: 60, seed: seed + i }));
  for (let i = 1; i <= 4; i++)
    out.push(
      createSimBpMonitor({
        id: `bench-bp-${i}`,
        intervalMs: 1000,
        inflationSteps: 5,
        stepMs: 50,
        seed: seed + 20 + i,
      }),
    );
  return out;
}

/** How each instrument appears to the simulated BlueZ. */
export function bluezDevices(instruments: readonly SimInstrument[]): SimBluezDeviceOptions[] {
  return instruments.map((i) => ({
    peripheral: i.peripheral,
    pairing: 'just-works' as const,
    // The H10 raises the ATT MTU to 232 so one notification carries 73 samples.
    ...(i.peripheral.id === ECG_ID ? { mtu: 232 } : {}),
  }));
}

/**
 * Records the send time of every notification that leaves an instrument while a collector
 * listens, keyed by its device timestamp (ECG) or its bytes, as the kit's side is keyed.
 */
export function recordEmits(instruments: readonly SimInstrument[], sink: (e: Emitted) => void): void {
  for (const inst of instruments) {
    const p = inst.peripheral;
    const emit = p.emit.bind(p);
    p.emit = (service, characteristic, value) => {
      if (p.connected && p.isSubscribed(service, characteristic))
        sink({ id: p.id, characteristic, key: frameKey(characteristic, value), at: now() });
      emit(service, characteristic, value);
    };
  }
}
