import { bodySensorLocation } from '../../ble-devices/codecs/body-sensor-location.ts';
import { heartRateMeasurement } from '../../ble-devices/codecs/heart-rate.ts';
import { walk } from '../random.ts';
import { buildInstrument, type SimCommonOptions, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated heart-rate strap. */
export interface SimHeartRateOptions extends SimCommonOptions {
  /** Notifications per second (straps send about 1). */
  readonly rateHz: number;
  /** Probability a frame says "contact supported, not detected" (strap loose). */
  readonly looseRate?: number;
}

/**
 * A Heart Rate (0x180D) chest strap: Heart Rate Measurement notifications (0x2A37) with a drifting
 * rate, sensor contact and the RR intervals (1/1024 s) that match it; Body Sensor Location (0x2A38,
 * chest) readable.
 */
export function createSimHeartRate(options: SimHeartRateOptions): SimInstrument {
  const { peripheral, clock, battery, random } = buildInstrument(
    options,
    { name: 'FK-SIM HR Strap', model: 'SIM-HR-1', seed: 5 },
    {
      '180d': {
        '2a37': { properties: ['notify'] },
        '2a38': { properties: ['read'], value: bodySensorLocation.encode(1) },
      },
    },
  );
  let bpm = 68;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (!peripheral.isSubscribed('180d', '2a37')) return;
    bpm = walk(bpm, 2, 45, 170, random);
    const loose = random() < (options.looseRate ?? 0);
    const rr = Math.round((60 / bpm) * 1024);
    battery.measured(0.01);
    peripheral.emit(
      '180d',
      '2a37',
      heartRateMeasurement.encode({
        heartRate: Math.round(bpm),
        format: 'uint8',
        sensorContact: loose ? 'supported_not_detected' : 'detected',
        energyExpended: null,
        rrIntervals: loose ? [] : [rr],
      }),
    );
  };
  return {
    peripheral,
    clock,
    battery,
    start() {
      timer ??= setInterval(tick, Math.max(1, Math.round(1000 / options.rateHz)));
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
