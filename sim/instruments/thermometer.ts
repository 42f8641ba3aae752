import { floatFromRaw, mderFromNumber } from '../../ble-devices/codecs/ieee11073-float.ts';
import { measurementInterval } from '../../ble-devices/codecs/measurement-interval.ts';
import { temperatureType } from '../../ble-devices/codecs/temperature-type.ts';
import { intermediateTemperature, temperatureMeasurement } from '../../ble-devices/codecs/temperature.ts';
import { walk } from '../random.ts';
import { measuringCycle, type MeasuringCycle } from './measuring-cycle.ts';
import { RecordMemory, type ResendPolicy } from './record-memory.ts';
import { buildInstrument, type SimCommonOptions, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated thermometer. */
export interface SimThermometerOptions extends SimCommonOptions {
  /** Pause between readings. */
  readonly intervalMs: number;
  /** Intermediate (settling) notifications before each reading, `stepMs` apart (default 5, 200 ms). */
  readonly settlingSteps?: number;
  readonly stepMs?: number;
  /** Site code (Temperature Type; default 6, mouth). */
  readonly site?: number;
  /** Readings in memory at start, one every `memorySpacingMs` back from now. */
  readonly memory?: number;
  readonly memorySpacingMs?: number;
  readonly resend?: ResendPolicy;
  readonly measureOffline?: boolean;
}

/** The simulated thermometer: instrument parts plus its memory. */
export interface SimThermometer extends SimInstrument {
  readonly memory: RecordMemory;
  measureNow(): void;
}

/**
 * A Health Thermometer (0x1809): Intermediate Temperature notifications (0x2A1E) while settling,
 * then the reading indicated (0x2A1C) in °C with two decimals, its site and the device clock's
 * timestamp; Temperature Type (0x2A1D) and Measurement Interval (0x2A21) readable. Readings also
 * go to memory, sent when a collector subscribes.
 */
export function createSimThermometer(options: SimThermometerOptions): SimThermometer {
  const spacing = options.memorySpacingMs ?? 4 * 3_600_000;
  const started = Date.now();
  const memory = new RecordMemory(30, options.resend ?? 'new');
  const site = options.site ?? 6;
  const hook: { cycle?: MeasuringCycle } = {};
  const { peripheral, clock, battery, random } = buildInstrument(
    { clockResetAtMs: started - (options.memory ?? 0) * spacing - 60_000, ...options },
    { name: 'FK-SIM Thermometer', model: 'SIM-HT-1', seed: 3 },
    {
      '1809': {
        '2a1c': { properties: ['indicate'], onSubscribe: () => hook.cycle?.onSubscribe() },
        '2a1d': { properties: ['read'], value: temperatureType.encode(site) },
        '2a1e': { properties: ['notify'] },
        '2a21': { properties: ['read'], value: measurementInterval.encode(0) },
      },
    },
  );
  const steps = options.settlingSteps ?? 5;
  let celsius = 36.7;
  const record = (atMs: number): Uint8Array => {
    celsius = walk(celsius, 0.3, 35.8, 39.5, random);
    return temperatureMeasurement.encode({
      unit: 'Cel',
      value: mderFromNumber(celsius, 2),
      timestamp: clock.dateTimeAt(atMs),
      temperatureType: site,
    });
  };
  for (let i = options.memory ?? 0; i > 0; i--) memory.add(record(started - i * spacing));
  const cycle = measuringCycle({
    peripheral,
    service: '1809',
    char: '2a1c',
    intervalMs: options.intervalMs,
    steps,
    stepMs: options.stepMs ?? 200,
    preview: (step) =>
      peripheral.emit(
        '1809',
        '2a1e',
        intermediateTemperature.encode({
          unit: 'Cel',
          value:
            step === 0 ? floatFromRaw(0x007fffff) : mderFromNumber(34 + ((celsius - 34) * step) / steps, 1),
          timestamp: null,
          temperatureType: null,
        }),
      ),
    record,
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
