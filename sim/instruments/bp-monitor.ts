import {
  bloodPressureMeasurement,
  intermediateCuffPressure,
} from '../../ble-devices/codecs/blood-pressure.ts';
import { dateTimeFromDate } from '../../ble-devices/codecs/date-time.ts';
import { mderFromNumber, type MderFloat } from '../../ble-devices/codecs/ieee11073-float.ts';
import { SimPeripheral, type SimFaults } from '../gatt/sim-peripheral.ts';
import { seededRandom, walk } from '../random.ts';
import { deviceInformation, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated cuff. */
export interface SimBpMonitorOptions {
  readonly id: string;
  readonly name?: string;
  /** Time between the end of one measurement and the start of the next. */
  readonly intervalMs: number;
  /** Intermediate cuff pressure notifications during inflation/deflation. */
  readonly inflationSteps?: number;
  readonly stepMs?: number;
  /** The cuff's clock error (device_now - true_now), exercising clock correction. */
  readonly clockSkewMs?: number;
  /** The kit's UTC offset the device clock was set to (the cuff has no zone). */
  readonly utcOffsetMinutes?: number;
  readonly seed?: number;
  readonly faults?: SimFaults;
}

const NAN: MderFloat = { kind: 'special', special: 'NaN' };

/**
 * A Blood Pressure Service (0x1810) cuff: on a timer it inflates (Intermediate Cuff Pressure
 * notifications, 0x2A36) and then indicates one timestamped measurement with pulse rate (0x2A35).
 */
export function createSimBpMonitor(options: SimBpMonitorOptions): SimInstrument {
  const random = seededRandom(options.seed ?? 2);
  const peripheral = new SimPeripheral(
    options.id,
    options.name ?? 'FK-SIM BP Monitor',
    {
      '1810': {
        '2a35': { properties: ['indicate'] },
        '2a36': { properties: ['notify'] },
        // Features: body movement, cuff fit, irregular pulse detection.
        '2a49': { properties: ['read'], value: Uint8Array.of(0x07, 0x00) },
      },
      '180a': deviceInformation('Field kit simulators', 'SIM-BP-1', `BP-${options.id}`),
      '180f': { '2a19': { properties: ['read'], value: Uint8Array.of(64) } },
    },
    options.faults,
    seededRandom((options.seed ?? 2) + 7),
  );
  const steps = options.inflationSteps ?? 6;
  const stepMs = options.stepMs ?? 250;
  let sys = 128;
  let dia = 82;
  let pulse = 70;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  const cuff = (pressure: number): void =>
    peripheral.emit(
      '1810',
      '2a36',
      intermediateCuffPressure.encode({
        unit: 'mmHg',
        systolic: mderFromNumber(pressure, 0),
        diastolic: NAN,
        meanArterial: NAN,
        timestamp: null,
        pulseRate: null,
        userId: null,
        status: null,
      }),
    );

  const measure = (): void => {
    sys = Math.round(walk(sys, 4, 95, 170, random));
    dia = Math.round(walk(dia, 3, 55, Math.min(105, sys - 20), random));
    pulse = Math.round(walk(pulse, 3, 50, 120, random));
    const deviceNow = new Date(Date.now() + (options.clockSkewMs ?? 0));
    peripheral.emit(
      '1810',
      '2a35',
      bloodPressureMeasurement.encode({
        unit: 'mmHg',
        systolic: mderFromNumber(sys, 0),
        diastolic: mderFromNumber(dia, 0),
        meanArterial: mderFromNumber(Math.round(dia + (sys - dia) / 3), 0),
        timestamp: dateTimeFromDate(deviceNow, options.utcOffsetMinutes ?? 0),
        pulseRate: mderFromNumber(pulse, 0),
        userId: 1,
        status: 0,
      }),
    );
  };

  const cycle = (step: number): void => {
    if (!running) return;
    if (!peripheral.isSubscribed('1810', '2a35')) {
      timer = setTimeout(() => cycle(0), options.intervalMs);
      return;
    }
    if (step < steps) {
      cuff(Math.round(((step + 1) / steps) * (sys + 30)));
      timer = setTimeout(() => cycle(step + 1), stepMs);
      return;
    }
    measure();
    timer = setTimeout(() => cycle(0), options.intervalMs);
  };

  return {
    peripheral,
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(() => cycle(0), Math.min(options.intervalMs, 1000));
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
