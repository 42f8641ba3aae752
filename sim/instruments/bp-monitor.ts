import {
  bloodPressureMeasurement,
  intermediateCuffPressure,
} from '../../ble-devices/codecs/blood-pressure.ts';
import { mderFromNumber, type MderFloat } from '../../ble-devices/codecs/ieee11073-float.ts';
import { walk } from '../random.ts';
import { measuringCycle, type MeasuringCycle } from './measuring-cycle.ts';
import { RecordMemory, type ResendPolicy } from './record-memory.ts';
import { buildInstrument, type SimCommonOptions, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated cuff. */
export interface SimBpMonitorOptions extends SimCommonOptions {
  /** Time between the end of one measurement and the start of the next. */
  readonly intervalMs: number;
  /** Intermediate cuff pressure notifications during inflation/deflation. */
  readonly inflationSteps?: number;
  readonly stepMs?: number;
  /** Readings already in the cuff's memory at start, one every `memorySpacingMs` back from now. */
  readonly memory?: number;
  readonly memorySpacingMs?: number;
  /** Readings the memory holds (default 100; the oldest falls out). */
  readonly memoryCapacity?: number;
  /** On connection: send only readings not yet delivered ('new', default) or the whole memory. */
  readonly resend?: ResendPolicy;
  /** Measure even with no collector listening; the reading waits in memory (default false). */
  readonly measureOffline?: boolean;
}

/** The simulated cuff: its instrument parts plus its memory. */
export interface SimBpMonitor extends SimInstrument {
  readonly memory: RecordMemory;
  /** Takes one measurement now (stored, and indicated if a collector listens). */
  measureNow(): void;
}

const NAN: MderFloat = { kind: 'special', special: 'NaN' };

/**
 * A Blood Pressure Service (0x1810) cuff: on a timer it inflates (Intermediate Cuff Pressure
 * notifications, 0x2A36) and then indicates one timestamped measurement with pulse rate (0x2A35),
 * stamped by its own clock. Every reading also goes to its memory, which it sends when a
 * collector subscribes (only new readings, or everything when `resend: 'all'`).
 */
export function createSimBpMonitor(options: SimBpMonitorOptions): SimBpMonitor {
  const spacing = options.memorySpacingMs ?? 3_600_000;
  const started = Date.now();
  const memory = new RecordMemory(options.memoryCapacity ?? 100, options.resend ?? 'new');
  const hook: { cycle?: MeasuringCycle } = {};
  const { peripheral, clock, battery, random } = buildInstrument(
    { clockResetAtMs: started - (options.memory ?? 0) * spacing - 60_000, ...options },
    { name: 'FK-SIM BP Monitor', model: 'SIM-BP-1', seed: 2 },
    {
      '1810': {
        '2a35': { properties: ['indicate'], onSubscribe: () => hook.cycle?.onSubscribe() },
        '2a36': { properties: ['notify'] },
        // Features: body movement, cuff fit, irregular pulse detection.
        '2a49': { properties: ['read'], value: Uint8Array.of(0x07, 0x00) },
      },
    },
  );
  const steps = options.inflationSteps ?? 6;
  let sys = 128;
  let dia = 82;
  let pulse = 70;

  const record = (atMs: number): Uint8Array => {
    sys = Math.round(walk(sys, 4, 95, 170, random));
    dia = Math.round(walk(dia, 3, 55, Math.min(105, sys - 20), random));
    pulse = Math.round(walk(pulse, 3, 50, 120, random));
    return bloodPressureMeasurement.encode({
      unit: 'mmHg',
      systolic: mderFromNumber(sys, 0),
      diastolic: mderFromNumber(dia, 0),
      meanArterial: mderFromNumber(Math.round(dia + (sys - dia) / 3), 0),
      timestamp: clock.dateTimeAt(atMs),
      pulseRate: mderFromNumber(pulse, 0),
      userId: 1,
      status: 0,
    });
  };
  for (let i = options.memory ?? 0; i > 0; i--) memory.add(record(started - i * spacing));

  const cuff = (step: number): void =>
    peripheral.emit(
      '1810',
      '2a36',
      intermediateCuffPressure.encode({
        unit: 'mmHg',
        systolic: mderFromNumber(Math.round(((step + 1) / steps) * (sys + 30)), 0),
        diastolic: NAN,
        meanArterial: NAN,
        timestamp: null,
        pulseRate: null,
        userId: null,
        status: null,
      }),
    );

  const cycle = measuringCycle({
    peripheral,
    service: '1810',
    char: '2a35',
    intervalMs: options.intervalMs,
    steps,
    stepMs: options.stepMs ?? 250,
    preview: cuff,
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
