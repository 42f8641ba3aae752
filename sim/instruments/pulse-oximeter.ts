import { plxContinuous } from '../../ble-devices/codecs/plx-continuous.ts';
import { mderFromNumber, type MderFloat } from '../../ble-devices/codecs/ieee11073-float.ts';
import { SimPeripheral, type SimFaults } from '../gatt/sim-peripheral.ts';
import { seededRandom, walk } from '../random.ts';
import { deviceInformation, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated PLX oximeter; validated by the runtime's config schema. */
export interface SimOximeterOptions {
  readonly id: string;
  readonly name?: string;
  /** Continuous measurement notifications per second (real units: 1 to 60). */
  readonly rateHz: number;
  readonly seed?: number;
  /** Probability that a frame carries SpO2/PR as NaN (finger moving), exercising data-absent paths. */
  readonly nanRate?: number;
  readonly faults?: SimFaults;
}

const NAN: MderFloat = { kind: 'special', special: 'NaN' };

/**
 * A Pulse Oximeter Service (0x1822) instrument streaming PLX Continuous Measurement (0x2A5F)
 * frames with drifting SpO2 and pulse rate, spec-exact bytes from the kit's own encoder.
 */
export function createSimPulseOximeter(options: SimOximeterOptions): SimInstrument {
  const random = seededRandom(options.seed ?? 1);
  const peripheral = new SimPeripheral(
    options.id,
    options.name ?? 'FK-SIM Oximeter',
    {
      '1822': {
        '2a5f': { properties: ['notify'] },
        // PLX Features: measurement status support present (bit 0) with 'measurement ongoing' supported.
        '2a60': { properties: ['read'], value: Uint8Array.of(0x01, 0x00, 0x20, 0x00) },
      },
      '180a': deviceInformation('Field kit simulators', 'SIM-PLX-1', `PLX-${options.id}`),
      '180f': { '2a19': { properties: ['read', 'notify'], value: Uint8Array.of(87) } },
    },
    options.faults,
    seededRandom((options.seed ?? 1) + 7),
  );
  let spo2 = 97;
  let pr = 72;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    if (!peripheral.isSubscribed('1822', '2a5f')) return;
    spo2 = walk(spo2, 0.6, 90, 100, random);
    pr = walk(pr, 2, 50, 130, random);
    const absent = random() < (options.nanRate ?? 0);
    const frame = plxContinuous.encode({
      spo2: absent ? NAN : mderFromNumber(Math.round(spo2), 0),
      pr: absent ? NAN : mderFromNumber(Math.round(pr), 0),
      fast: null,
      slow: null,
      measurementStatus: null,
      deviceSensorStatus: null,
      pulseAmplitudeIndex: null,
    });
    peripheral.emit('1822', '2a5f', frame);
  };
  return {
    peripheral,
    start() {
      timer ??= setInterval(tick, Math.max(1, Math.round(1000 / options.rateHz)));
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
