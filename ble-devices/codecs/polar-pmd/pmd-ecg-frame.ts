import { defineCodec } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import { PMD_ECG, PMD_MEASUREMENT_MASK, measurementName } from './pmd-tables.ts';

/** Bytes before the samples: type, uint64 timestamp, frame type. */
export const PMD_FRAME_HEADER = 10;
/** Frame-type bit 7: a delta-compressed frame. */
const COMPRESSED_BIT = 0x80;
/** Bytes per raw type-0 ECG sample: signed 24-bit little-endian µV. */
const SAMPLE_BYTES = 3;
const MIN_SAMPLE = -0x800000;
const MAX_SAMPLE = 0x7fffff;
const MAX_U64 = (1n << 64n) - 1n;
const NAME = 'pmd_ecg_data';

/**
 * One PMD data notification carrying ECG (polar-ble-sdk `PmdDataFrame.kt`, `EcgData.kt`, raw
 * frame type 0, the H10's): the sensor-clock time of the LAST sample in nanoseconds since
 * 2000-01-01T00:00:00, then signed µV samples. Earlier samples' times are derived
 * (see `pmd-time.ts`).
 */
export interface PmdEcgFrame {
  /** uint64 ns since 2000-01-01 by the sensor's clock (H10: local time once set, else 2019-01-01 + uptime). */
  readonly timestampNs: bigint;
  readonly samples: readonly number[];
}

/** The header of any PMD data frame, for routing and error messages. */
export interface PmdFrameHeader {
  readonly measurementType: number;
  readonly timestampNs: bigint;
  readonly frameType: number;
  readonly compressed: boolean;
}

function readU64(r: ByteReader, field: string): bigint {
  const at = r.take(8, field);
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(r.bytes[at + i]!);
  return v;
}

/** Reads the 10-byte header; throws `truncated` on a shorter frame. */
export function readPmdFrameHeader(r: ByteReader): PmdFrameHeader {
  const typeByte = r.u8('measurement_type');
  const timestampNs = readU64(r, 'timestamp');
  const frameByte = r.u8('frame_type');
  return {
    measurementType: typeByte & PMD_MEASUREMENT_MASK,
    timestampNs,
    frameType: frameByte & 0x7f,
    compressed: (frameByte & COMPRESSED_BIT) !== 0,
  };
}

/**
 * Codec for ECG data frames. Refuses, with typed errors: another measurement type
 * (`invalid_value`), compressed (delta) frames and raw frame types other than 0 (`unsupported`:
 * the SDK's own ECG parser refuses compressed ECG too; types 1-3 belong to other sensors), and a
 * partial trailing sample (`truncated`).
 */
export const pmdEcgFrame = defineCodec<PmdEcgFrame>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: 512,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const h = readPmdFrameHeader(r);
    if (h.measurementType !== PMD_ECG) {
      throw new CodecError(
        'invalid_value',
        NAME,
        'measurement_type',
        0,
        `${measurementName(h.measurementType)} frame, not ECG`,
      );
    }
    if (h.compressed) {
      throw new CodecError('unsupported', NAME, 'frame_type', 9, `compressed ECG frame type ${h.frameType}`);
    }
    if (h.frameType !== 0) {
      throw new CodecError(
        'unsupported',
        NAME,
        'frame_type',
        9,
        `raw ECG frame type ${h.frameType} (H10 sends type 0)`,
      );
    }
    const samples: number[] = [];
    while (r.remaining > 0) {
      const v = r.u24(`samples[${samples.length}]`);
      samples.push(v & 0x800000 ? v - 0x1000000 : v);
    }
    return { timestampNs: h.timestampNs, samples };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    if (m.timestampNs < 0n || m.timestampNs > MAX_U64) {
      throw new CodecError('invalid_value', NAME, 'timestamp', 1, `${m.timestampNs} is outside uint64`);
    }
    w.u8(PMD_ECG, 'measurement_type');
    for (let i = 0; i < 8; i++) w.u8(Number((m.timestampNs >> BigInt(8 * i)) & 0xffn), 'timestamp');
    w.u8(0, 'frame_type');
    m.samples.forEach((s, i) => {
      if (!Number.isInteger(s) || s < MIN_SAMPLE || s > MAX_SAMPLE) {
        throw new CodecError('invalid_value', NAME, `samples[${i}]`, w.length, `${s} µV is outside int24`);
      }
      w.u24(s & 0xffffff, `samples[${i}]`);
    });
    return w.finish();
  },
  toJson(m) {
    return {
      timestamp_ns: m.timestampNs.toString(),
      sample_count: m.samples.length,
      samples_uv: [...m.samples],
    };
  },
});

/** Samples that fit one notification of `mtu` (ATT payload = MTU - 3): the H10 sends 73 at MTU 232. */
export function ecgSamplesPerFrame(mtu: number): number {
  return Math.max(1, Math.floor((Math.min(mtu - 3, 512) - PMD_FRAME_HEADER) / SAMPLE_BYTES));
}
