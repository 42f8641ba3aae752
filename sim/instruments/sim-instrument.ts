import type { SimPeripheral } from '../gatt/sim-peripheral.ts';

/** A simulated instrument: its GATT server plus the clock that drives its measurements. */
export interface SimInstrument {
  readonly peripheral: SimPeripheral;
  /** Starts the instrument's timers; it only transmits while a collector is subscribed. */
  start(): void;
  stop(): void;
}

/** Device Information strings every simulated instrument exposes (0x180A). */
export function deviceInformation(manufacturer: string, model: string, serial: string) {
  const enc = new TextEncoder();
  return {
    '2a29': { properties: ['read'] as const, value: enc.encode(manufacturer) },
    '2a24': { properties: ['read'] as const, value: enc.encode(model) },
    '2a25': { properties: ['read'] as const, value: enc.encode(serial) },
  };
}
