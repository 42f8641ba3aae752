import { defineCodec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { mderJson, mderPartsJson, readSfloat, writeSfloat, type MderFloat } from './ieee11073-float.ts';
import { plxStatusJson } from './plx-status.ts';

/**
 * PLX Spot-Check Measurement (0x2A5E, DEVICES.md 4.1): one stored or on-demand SpO2/PR reading,
 * possibly downloaded later through RACP, hence the device timestamp and clock-not-set flag.
 */
export interface PlxSpotCheck {
  readonly spo2: MderFloat;
  readonly pr: MderFloat;
  readonly timestamp: DateTime | null;
  readonly measurementStatus: number | null;
  readonly deviceSensorStatus: number | null;
  readonly pulseAmplitudeIndex: MderFloat | null;
  /** Flags bit 4: the device clock was never set, so any timestamp is meaningless. */
  readonly deviceClockNotSet: boolean;
}

const NAME = 'plx_spot_check_measurement';

/** Codec for 0x2A5E. */
export const plxSpotCheck = defineCodec<PlxSpotCheck>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a5e,
  maxBytes: 19,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u8('flags');
    const spo2 = readSfloat(r, 'spo2');
    const pr = readSfloat(r, 'pr');
    const timestamp = flags & 0x01 ? readDateTime(r, 'timestamp') : null;
    const measurementStatus = flags & 0x02 ? r.u16('measurement_status') : null;
    const deviceSensorStatus = flags & 0x04 ? r.u24('device_sensor_status') : null;
    const pulseAmplitudeIndex = flags & 0x08 ? readSfloat(r, 'pulse_amplitude_index') : null;
    const deviceClockNotSet = (flags & 0x10) !== 0;
    r.end();
    return {
      spo2,
      pr,
      timestamp,
      measurementStatus,
      deviceSensorStatus,
      pulseAmplitudeIndex,
      deviceClockNotSet,
    };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const flags =
      (m.timestamp ? 0x01 : 0) |
      (m.measurementStatus !== null ? 0x02 : 0) |
      (m.deviceSensorStatus !== null ? 0x04 : 0) |
      (m.pulseAmplitudeIndex ? 0x08 : 0) |
      (m.deviceClockNotSet ? 0x10 : 0);
    w.u8(flags, 'flags');
    writeSfloat(w, m.spo2, 'spo2');
    writeSfloat(w, m.pr, 'pr');
    if (m.timestamp) writeDateTime(w, m.timestamp, 'timestamp');
    if (m.measurementStatus !== null) w.u16(m.measurementStatus, 'measurement_status');
    if (m.deviceSensorStatus !== null) w.u24(m.deviceSensorStatus, 'device_sensor_status');
    if (m.pulseAmplitudeIndex) writeSfloat(w, m.pulseAmplitudeIndex, 'pulse_amplitude_index');
    return w.finish();
  },
  toJson(m) {
    const json: JsonObject = {
      spo2: mderJson(m.spo2),
      pr: mderJson(m.pr),
      ...mderPartsJson('spo2', m.spo2),
      ...mderPartsJson('pr', m.pr),
      timestamp: m.timestamp ? { ...m.timestamp } : null,
      measurement_status_raw: m.measurementStatus,
      device_sensor_status_raw: m.deviceSensorStatus,
      pulse_amplitude_index: m.pulseAmplitudeIndex ? mderJson(m.pulseAmplitudeIndex) : null,
      device_clock_not_set: m.deviceClockNotSet,
    };
    return { ...json, ...plxStatusJson(m.measurementStatus, m.deviceSensorStatus) };
  },
});
