import { defineCodec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { CodecError } from './errors.ts';

/** Sensor Contact Status (flags bits 1-2): 0 and 1 both mean the strap cannot tell. */
export type SensorContact = 'not_supported' | 'supported_not_detected' | 'detected';

/**
 * Heart Rate Measurement (0x2A37, DEVICES.md 1.1). RR intervals stay in the wire unit (1/1024 s)
 * so re-encoding is exact; `rr_ms` is derived for display and HRV work.
 */
export interface HeartRateMeasurement {
  readonly heartRate: number;
  readonly format: 'uint8' | 'uint16';
  readonly sensorContact: SensorContact;
  /** Cumulative kJ since the last Control Point reset; saturates at 0xFFFF. */
  readonly energyExpended: number | null;
  /** Raw RR values, 1/1024 s each, oldest first; empty when the flag is clear. */
  readonly rrIntervals: readonly number[];
}

const NAME = 'heart_rate_measurement';
const CONTACT: readonly SensorContact[] = [
  'not_supported',
  'not_supported',
  'supported_not_detected',
  'detected',
];
const CONTACT_BITS: Readonly<Record<SensorContact, number>> = {
  not_supported: 0,
  supported_not_detected: 2,
  detected: 3,
};

/**
 * Codec for 0x2A37. Policy (vector HRS-06): a frame whose RR flag is set must carry at least one
 * whole RR value; an empty or odd-length RR tail is rejected as `truncated`, as Nordic's parser
 * does, because a half-sent notification is more likely than a sensor lying about its flags.
 */
export const heartRateMeasurement = defineCodec<HeartRateMeasurement>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a37,
  maxBytes: 512,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u8('flags');
    const format = flags & 0x01 ? 'uint16' : 'uint8';
    const heartRate = format === 'uint16' ? r.u16('heart_rate') : r.u8('heart_rate');
    const sensorContact = CONTACT[(flags >> 1) & 0x03]!;
    const energyExpended = flags & 0x08 ? r.u16('energy_expended') : null;
    const rrIntervals: number[] = [];
    if (flags & 0x10) {
      if (r.remaining < 2) {
        throw new CodecError(
          'truncated',
          NAME,
          'rr_interval',
          r.offset,
          `RR-interval flag set but ${r.remaining === 0 ? 'no RR bytes' : 'only 1 byte'}`,
        );
      }
      while (r.remaining > 0) rrIntervals.push(r.u16(`rr_interval[${rrIntervals.length}]`));
    }
    r.end();
    return { heartRate, format, sensorContact, energyExpended, rrIntervals };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const flags =
      (m.format === 'uint16' ? 0x01 : 0) |
      (CONTACT_BITS[m.sensorContact] << 1) |
      (m.energyExpended !== null ? 0x08 : 0) |
      (m.rrIntervals.length > 0 ? 0x10 : 0);
    w.u8(flags, 'flags');
    if (m.format === 'uint16') w.u16(m.heartRate, 'heart_rate');
    else w.u8(m.heartRate, 'heart_rate');
    if (m.energyExpended !== null) w.u16(m.energyExpended, 'energy_expended');
    m.rrIntervals.forEach((rr, i) => w.u16(rr, `rr_interval[${i}]`));
    return w.finish();
  },
  toJson(m) {
    return {
      heart_rate_bpm: m.heartRate,
      hr_format: m.format,
      sensor_contact: m.sensorContact,
      energy_expended_kj: m.energyExpended,
      rr_raw: [...m.rrIntervals],
      rr_ms: m.rrIntervals.map((rr) => (rr * 1000) / 1024),
    };
  },
});
