import type { SimBluezDeviceOptions } from '../../sim/bluez/index.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** One notification as the instrument sent it. */
export interface Emitted {
  readonly id: string;
  readonly characteristic: string;
  readonly seq: number;
  readonly at: number;
}

/**
 * The benchmark's 12 instruments at their highest rates: 8 PLX oximeters at 60 frames/s (the top
 * of what real units send) and 4 BP cuffs measuring every second with cuff-pressure notifications
 * while inflating. The ECG (130 Hz) and the manager's other simulators join when they land.
 */
export function fleet(seed = 1): SimInstrument[] {
  const out: SimInstrument[] = [];
  for (let i = 1; i <= 8; i++)
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
  return instruments.map((i) => ({ peripheral: i.peripheral, pairing: 'just-works' as const }));
}

/**
 * Records the send time of every notification that leaves an instrument while a collector
 * listens, numbered per characteristic (the kit numbers what it receives the same way).
 */
export function recordEmits(instruments: readonly SimInstrument[], sink: (e: Emitted) => void): void {
  for (const inst of instruments) {
    const p = inst.peripheral;
    const seq = new Map<string, number>();
    const emit = p.emit.bind(p);
    p.emit = (service, characteristic, value) => {
      if (p.connected && p.isSubscribed(service, characteristic)) {
        const n = (seq.get(characteristic) ?? 0) + 1;
        seq.set(characteristic, n);
        sink({ id: p.id, characteristic, seq: n, at: now() });
      }
      emit(service, characteristic, value);
    };
  }
}
