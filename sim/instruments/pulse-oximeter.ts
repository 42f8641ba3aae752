import { mderFromNumber, type MderFloat } from '../../ble-devices/codecs/ieee11073-float.ts';
import { plxContinuous } from '../../ble-devices/codecs/plx-continuous.ts';
import { plxFeatures } from '../../ble-devices/codecs/plx-features.ts';
import { plxSpotCheck } from '../../ble-devices/codecs/plx-spot-check.ts';
import { walk } from '../random.ts';
import { buildInstrument, type SimCommonOptions, type SimInstrument } from './sim-instrument.ts';

/** Options of the simulated PLX oximeter; validated by the runtime's config schema. */
export interface SimOximeterOptions extends SimCommonOptions {
  /** Continuous measurement notifications per second (real units: 1 to 60). */
  readonly rateHz: number;
  /** Probability that a frame carries SpO2/PR as NaN (finger moving), exercising data-absent paths. */
  readonly nanRate?: number;
  /** Also take a timestamped spot-check reading (0x2A5E, indicated) this often; off by default. */
  readonly spotCheckIntervalMs?: number;
  /** Stream the continuous measurement (default true; false = a spot-check-only oximeter). */
  readonly continuous?: boolean;
}

const NAN: MderFloat = { kind: 'special', special: 'NaN' };

/**
 * A Pulse Oximeter Service (0x1822) instrument streaming PLX Continuous Measurement (0x2A5F)
 * frames with drifting SpO2 and pulse rate and, when asked, indicating PLX Spot-Check readings
 * (0x2A5E) stamped by its clock, flagged "device clock not set" while a reset clock was never set.
 * Spec-exact bytes from the kit's own encoders.
 */
export function createSimPulseOximeter(options: SimOximeterOptions): SimInstrument {
  const continuous = options.continuous ?? true;
  const spot = options.spotCheckIntervalMs !== undefined;
  const chars: Record<string, { properties: Array<'notify' | 'indicate' | 'read'>; value?: Uint8Array }> = {
    // Measurement status support present (bit 0) with 'measurement ongoing'; spot-check time stamp (bit 3).
    '2a60': {
      properties: ['read'],
      value: plxFeatures.encode({
        supported: 0x01 | (spot ? 0x08 : 0),
        measurementStatusSupport: 0x20,
        deviceSensorStatusSupport: null,
      }),
    },
  };
  if (continuous) chars['2a5f'] = { properties: ['notify'] };
  if (spot) chars['2a5e'] = { properties: ['indicate'] };
  const { peripheral, clock, battery, random } = buildInstrument(
    options,
    { name: 'FK-SIM Oximeter', model: 'SIM-PLX-1', seed: 1 },
    { '1822': chars },
  );
  let spo2 = 97;
  let pr = 72;
  let tick: NodeJS.Timeout | undefined;
  let spotTimer: NodeJS.Timeout | undefined;
  const next = (): { spo2: MderFloat; pr: MderFloat } => {
    spo2 = walk(spo2, 0.6, 90, 100, random);
    pr = walk(pr, 2, 50, 130, random);
    const absent = random() < (options.nanRate ?? 0);
    return {
      spo2: absent ? NAN : mderFromNumber(Math.round(spo2), 0),
      pr: absent ? NAN : mderFromNumber(Math.round(pr), 0),
    };
  };
  const frame = (): void => {
    if (!peripheral.isSubscribed('1822', '2a5f')) return;
    const v = next();
    const bytes = plxContinuous.encode({
      ...v,
      fast: null,
      slow: null,
      measurementStatus: null,
      deviceSensorStatus: null,
      pulseAmplitudeIndex: null,
    });
    peripheral.emit('1822', '2a5f', bytes);
  };
  const spotCheck = (): void => {
    if (!peripheral.isSubscribed('1822', '2a5e')) return;
    const v = next();
    battery.measured();
    peripheral.emit(
      '1822',
      '2a5e',
      plxSpotCheck.encode({
        ...v,
        timestamp: clock.now(),
        measurementStatus: null,
        deviceSensorStatus: null,
        pulseAmplitudeIndex: null,
        deviceClockNotSet: (clock.mode === '1970' || clock.mode === '2019') && !clock.wasSet,
      }),
    );
  };
  return {
    peripheral,
    clock,
    battery,
    start() {
      if (continuous) tick ??= setInterval(frame, Math.max(1, Math.round(1000 / options.rateHz)));
      if (spot) spotTimer ??= setInterval(spotCheck, Math.max(10, options.spotCheckIntervalMs ?? 0));
    },
    stop() {
      clearInterval(tick);
      clearInterval(spotTimer);
      tick = undefined;
      spotTimer = undefined;
    },
  };
}
