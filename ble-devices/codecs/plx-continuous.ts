import { defineCodec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { mderJson, mderPartsJson, readSfloat, writeSfloat, type MderFloat } from './ieee11073-float.ts';
import { plxStatusJson } from './plx-status.ts';

/** SpO2 and pulse rate as one averaged pair. */
export interface SpO2Pr {
  readonly spo2: MderFloat;
  readonly pr: MderFloat;
}

/**
 * PLX Continuous Measurement (0x2A5F, DEVICES.md 4.2): the oximeter's live stream. No device
 * timestamp: the kit stamps it with its own clock.
 */
export interface PlxContinuous extends SpO2Pr {
  readonly fast: SpO2Pr | null;
  readonly slow: SpO2Pr | null;
  readonly measurementStatus: number | null;
  readonly deviceSensorStatus: number | null;
  readonly pulseAmplitudeIndex: MderFloat | null;
}

const NAME = 'plx_continuous_measurement';

/** Codec for 0x2A5F. */
export const plxContinuous = defineCodec<PlxContinuous>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a5f,
  maxBytes: 20,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const flags = r.u8('flags');
    const spo2 = readSfloat(r, 'spo2');
    const pr = readSfloat(r, 'pr');
    const fast = flags & 0x01 ? { spo2: readSfloat(r, 'spo2_fast'), pr: readSfloat(r, 'pr_fast') } : null;
    const slow = flags & 0x02 ? { spo2: readSfloat(r, 'spo2_slow'), pr: readSfloat(r, 'pr_slow') } : null;
    const measurementStatus = flags & 0x04 ? r.u16('measurement_status') : null;
    const deviceSensorStatus = flags & 0x08 ? r.u24('device_sensor_status') : null;
    const pulseAmplitudeIndex = flags & 0x10 ? readSfloat(r, 'pulse_amplitude_index') : null;
    r.end();
    return { spo2, pr, fast, slow, measurementStatus, deviceSensorStatus, pulseAmplitudeIndex };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const flags =
      (m.fast ? 0x01 : 0) |
      (m.slow ? 0x02 : 0) |
      (m.measurementStatus !== null ? 0x04 : 0) |
      (m.deviceSensorStatus !== null ? 0x08 : 0) |
      (m.pulseAmplitudeIndex ? 0x10 : 0);
    w.u8(flags, 'flags');
    writeSfloat(w, m.spo2, 'spo2');
    writeSfloat(w, m.pr, 'pr');
    if (m.fast) {
      writeSfloat(w, m.fast.spo2, 'spo2_fast');
      writeSfloat(w, m.fast.pr, 'pr_fast');
    }
    if (m.slow) {
      writeSfloat(w, m.slow.spo2, 'spo2_slow');
      writeSfloat(w, m.slow.pr, 'pr_slow');
    }
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
      spo2_fast: m.fast ? mderJson(m.fast.spo2) : null,
      pr_fast: m.fast ? mderJson(m.fast.pr) : null,
      spo2_slow: m.slow ? mderJson(m.slow.spo2) : null,
      pr_slow: m.slow ? mderJson(m.slow.pr) : null,
      measurement_status_raw: m.measurementStatus,
      device_sensor_status_raw: m.deviceSensorStatus,
      pulse_amplitude_index: m.pulseAmplitudeIndex ? mderJson(m.pulseAmplitudeIndex) : null,
    };
    return { ...json, ...plxStatusJson(m.measurementStatus, m.deviceSensorStatus) };
  },
});
