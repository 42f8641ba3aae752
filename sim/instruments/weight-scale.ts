import { bodyCompositionFeature } from '../../ble-devices/codecs/body-composition-feature.ts';
import { bodyCompositionMeasurement } from '../../ble-devices/codecs/body-composition.ts';
import { weightScaleFeature } from '../../ble-devices/codecs/weight-scale-feature.ts';
import { weightMeasurement } from '../../ble-devices/codecs/weight.ts';
import type { SimCharacteristicSpec } from '../gatt/sim-peripheral.ts';
import { walk } from '../random.ts';
import { measuringCycle, type MeasuringCycle } from './measuring-cycle.ts';
import { RecordMemory, type ResendPolicy } from './record-memory.ts';
import { buildInstrument, type SimCommonOptions, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated scale. */
export interface SimScaleOptions extends SimCommonOptions {
  /** Pause between weighings. */
  readonly intervalMs: number;
  /** Also a body composition analyser (0x181B, fat %, impedance) beside the Weight Scale. */
  readonly bodyComposition?: boolean;
  /** Height used for BMI, metres (default 1.72). */
  readonly heightM?: number;
  readonly memory?: number;
  readonly memorySpacingMs?: number;
  readonly resend?: ResendPolicy;
  readonly measureOffline?: boolean;
}

/** The simulated scale: instrument parts plus its memory. */
export interface SimScale extends SimInstrument {
  readonly memory: RecordMemory;
  measureNow(): void;
}

/**
 * A Weight Scale (0x181D): Weight Measurement indications (0x2A9D, 0.005 kg steps) with the
 * device clock's timestamp, user 1, BMI and height; optionally Body Composition (0x181B, 0x2A9C)
 * with body fat %, impedance and weight, sent right after each weighing. Features readable.
 * Weighings also go to memory, sent when a collector subscribes.
 */
export function createSimScale(options: SimScaleOptions): SimScale {
  const spacing = options.memorySpacingMs ?? 24 * 3_600_000;
  const started = Date.now();
  const memory = new RecordMemory(50, options.resend ?? 'new');
  const heightMm = Math.round((options.heightM ?? 1.72) * 1000);
  const hook: { cycle?: MeasuringCycle } = {};
  const services: Record<string, Record<string, SimCharacteristicSpec>> = {
    '181d': {
      // Time stamp and BMI supported; weight resolution 0.05 kg (4), height 0.001 m (3).
      '2a9e': { properties: ['read'], value: weightScaleFeature.encode(0x01 | 0x04 | (4 << 3) | (3 << 7)) },
      '2a9d': { properties: ['indicate'], onSubscribe: () => hook.cycle?.onSubscribe() },
    },
  };
  if (options.bodyComposition) {
    services['181b'] = {
      // Time stamp, user id, impedance, weight supported; mass resolution 0.05 kg.
      '2a9b': {
        properties: ['read'],
        value: bodyCompositionFeature.encode(0x01 | 0x02 | 0x80 | 0x200 | (4 << 11)),
      },
      '2a9c': { properties: ['indicate'] },
    };
  }
  const { peripheral, clock, battery, random } = buildInstrument(
    { clockResetAtMs: started - (options.memory ?? 0) * spacing - 60_000, ...options },
    { name: 'FK-SIM Scale', model: 'SIM-WS-1', seed: 4 },
    services,
  );
  let kg = 72;
  let fat = 24;
  const record = (atMs: number): Uint8Array => {
    kg = walk(kg, 0.4, 50, 120, random);
    fat = walk(fat, 0.3, 8, 45, random);
    const weightRaw = Math.round(kg / 0.005);
    return weightMeasurement.encode({
      imperial: false,
      weightRaw,
      timestamp: clock.dateTimeAt(atMs),
      userId: 1,
      bmiRaw: Math.round((kg / (heightMm / 1000) ** 2) * 10),
      heightRaw: heightMm,
    });
  };
  const composition = (atMs: number): Uint8Array =>
    bodyCompositionMeasurement.encode({
      imperial: false,
      bodyFatRaw: Math.round(fat * 10),
      timestamp: clock.dateTimeAt(atMs),
      userId: 1,
      fields: { impedance: Math.round(4800 + random() * 400), weight: Math.round(kg / 0.005) },
      multiplePacket: false,
    });
  for (let i = options.memory ?? 0; i > 0; i--) memory.add(record(started - i * spacing));
  const cycle = measuringCycle({
    peripheral,
    service: '181d',
    char: '2a9d',
    intervalMs: options.intervalMs,
    steps: 0,
    stepMs: 50,
    record: (atMs) => {
      const bytes = record(atMs);
      if (options.bodyComposition && peripheral.isSubscribed('181b', '2a9c'))
        setTimeout(() => peripheral.emit('181b', '2a9c', composition(atMs)), 20);
      return bytes;
    },
    memory,
    battery,
    ...(options.measureOffline === undefined ? {} : { measureOffline: options.measureOffline }),
  });
  hook.cycle = cycle;
  return {
    peripheral,
    clock,
    battery,
    memory,
    measureNow: cycle.measureNow,
    start: cycle.start,
    stop: cycle.stop,
  };
}
