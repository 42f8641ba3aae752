import type { Transport } from '../ble-devices/transport.ts';
import { createSimBpMonitor } from '../sim/instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import type { KitConfig } from './config.ts';

/** The simulated instrument set and the transport that reaches it. */
export interface SimulatedInstruments {
  readonly transport: Transport;
  readonly instruments: readonly SimInstrument[];
  stop(): void;
}

/**
 * The kit's default instruments when no hardware is present (`fieldkit start` simulates by
 * default): a PLX continuous oximeter and a BP cuff, behind the Transport interface that the real
 * radios' transports will implement too.
 * With `fieldkit sim` (runtime/cli/sim-command.ts), the only production code that imports sim/:
 * the `fieldkit/boundaries` lint rule (scripts/eslint-boundaries.js) refuses it anywhere else. The
 * kit loads this module lazily, only when it simulates.
 */
export function createSimulatedInstruments(config: KitConfig): SimulatedInstruments {
  const instruments = [
    createSimPulseOximeter({ id: 'sim-plx-1', rateHz: config.sim.oximeterRateHz, seed: config.sim.seed }),
    createSimBpMonitor({
      id: 'sim-bp-1',
      intervalMs: config.sim.bpIntervalMs,
      seed: config.sim.seed + 1,
      utcOffsetMinutes: config.utcOffsetMinutes,
    }),
  ];
  for (const i of instruments) i.start();
  return {
    transport: new SimTransport(instruments.map((i) => i.peripheral)),
    instruments,
    stop: () => instruments.forEach((i) => i.stop()),
  };
}
