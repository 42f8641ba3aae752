import { defineCodec } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import { PMD_MEASUREMENT, measurementName } from './pmd-tables.ts';

/** Which bit of the feature bytes announces which measurement (`PmdMeasurementType.fromByteArray`). */
const FEATURE_BITS: ReadonlyArray<readonly [byte: 1 | 2, mask: number, type: number]> = [
  [1, 0x01, PMD_MEASUREMENT.ecg!],
  [1, 0x02, PMD_MEASUREMENT.ppg!],
  [1, 0x04, PMD_MEASUREMENT.acc!],
  [1, 0x08, PMD_MEASUREMENT.ppi!],
  [1, 0x20, PMD_MEASUREMENT.gyro!],
  [1, 0x40, PMD_MEASUREMENT.magnetometer!],
  [1, 0x80, PMD_MEASUREMENT.skin_temp!],
  [2, 0x02, PMD_MEASUREMENT.sdk_mode!],
  [2, 0x04, PMD_MEASUREMENT.location!],
  [2, 0x08, PMD_MEASUREMENT.pressure!],
  [2, 0x10, PMD_MEASUREMENT.temperature!],
  [2, 0x20, PMD_MEASUREMENT.offline_recording!],
  [2, 0x40, PMD_MEASUREMENT.offline_hr!],
];

/**
 * The PMD control point's read value: byte 0 a header the SDK does not interpret (kept), bytes
 * 1-2 one bit per supported measurement. Unlisted bits and bytes past the third are ignored, as
 * the SDK ignores them.
 */
export interface PmdFeatures {
  readonly header: number;
  /** Measurement ids, in the order of the feature table. */
  readonly measurementTypes: readonly number[];
}

const NAME = 'pmd_features';

/** Codec for the feature read. */
export const pmdFeatures = defineCodec<PmdFeatures>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: 512,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const header = r.u8('header');
    const b1 = r.u8('features1');
    const b2 = r.u8('features2');
    const byIndex = [0, b1, b2];
    return {
      header,
      measurementTypes: FEATURE_BITS.filter(([i, m]) => (byIndex[i]! & m) !== 0).map(([, , t]) => t),
    };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const bytes = [0, 0, 0];
    for (const t of m.measurementTypes) {
      const bit = FEATURE_BITS.find(([, , type]) => type === t);
      if (!bit)
        throw new CodecError('invalid_value', NAME, 'measurement_types', 1, `no feature bit for ${t}`);
      bytes[bit[0]]! |= bit[1];
    }
    const known = FEATURE_BITS.map(([, , t]) => t).filter((t) => m.measurementTypes.includes(t));
    if (known.join() !== m.measurementTypes.join()) {
      throw new CodecError(
        'invalid_value',
        NAME,
        'measurement_types',
        1,
        'list in feature-table order without repeats',
      );
    }
    return w.u8(m.header, 'header').u8(bytes[1]!, 'features1').u8(bytes[2]!, 'features2').finish();
  },
  toJson(m) {
    return { supported: m.measurementTypes.map(measurementName) };
  },
});
