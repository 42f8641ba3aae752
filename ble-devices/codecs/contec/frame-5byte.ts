import { defineCodec } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';

/**
 * Contec CMS50 live frame, older firmware (5 bytes @ 19200 baud, 60 frames/s, DEVICES.md 9.1 A).
 * Byte 0 carries the sync bit (bit 7 set), bytes 1-4 have bit 7 clear; every bit is modelled so a
 * captured frame re-encodes byte for byte.
 */
export interface ContecLive5 {
  readonly signalStrength: number;
  readonly fingerOut: boolean;
  readonly droppingSpo2: boolean;
  readonly beep: boolean;
  readonly pleth: number;
  readonly bargraph: number;
  readonly probeError: boolean;
  readonly searching: boolean;
  /** 0-255: bit 7 travels in byte 2 bit 6. */
  readonly pulseRate: number;
  /** 0-127 %. */
  readonly spo2: number;
}

/** Frame length of the older generation. */
export const LIVE5_LENGTH = 5;
const NAME = 'contec_live_5byte';

/**
 * Offset (1-4) of the first byte that breaks the sync pattern at `at`, 0 when byte 0 lacks the
 * sync bit, or -1 when the five bytes form a frame. Used by the stream parser without throwing.
 */
export function live5SyncBreak(bytes: Uint8Array, at: number): number {
  if ((bytes[at]! & 0x80) === 0) return 0;
  for (let i = 1; i < LIVE5_LENGTH; i++) if ((bytes[at + i]! & 0x80) !== 0) return i;
  return -1;
}

/** Reads a frame already checked by {@link live5SyncBreak}; the parser's fast path. */
export function readLive5(bytes: Uint8Array, at: number): ContecLive5 {
  const b0 = bytes[at]!;
  const b2 = bytes[at + 2]!;
  return {
    signalStrength: b0 & 0x0f,
    fingerOut: (b0 & 0x10) !== 0,
    droppingSpo2: (b0 & 0x20) !== 0,
    beep: (b0 & 0x40) !== 0,
    pleth: bytes[at + 1]!,
    bargraph: b2 & 0x0f,
    probeError: (b2 & 0x10) !== 0,
    searching: (b2 & 0x20) !== 0,
    pulseRate: ((b2 & 0x40) << 1) | bytes[at + 3]!,
    spo2: bytes[at + 4]!,
  };
}

function bits(w: ByteWriter, value: number, max: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CodecError('invalid_value', NAME, field, w.length, `${value} is outside 0..${max}`);
  }
  return value;
}

/** Codec for one 5-byte live frame (the stream parser handles framing and noise). */
export const contecLive5 = defineCodec<ContecLive5>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: LIVE5_LENGTH,
  decode(bytes) {
    new ByteReader(bytes, NAME).take(LIVE5_LENGTH, 'frame');
    const broken = live5SyncBreak(bytes, 0);
    if (broken >= 0) {
      const why = broken === 0 ? 'sync bit 7 clear' : 'bit 7 set outside the sync byte';
      throw new CodecError('invalid_value', NAME, broken === 0 ? 'sync' : `byte${broken}`, broken, why);
    }
    return readLive5(bytes, 0);
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    const b0 =
      0x80 |
      bits(w, m.signalStrength, 15, 'signal_strength') |
      (m.fingerOut ? 0x10 : 0) |
      (m.droppingSpo2 ? 0x20 : 0) |
      (m.beep ? 0x40 : 0);
    const pr = bits(w, m.pulseRate, 255, 'pulse_rate');
    const b2 =
      bits(w, m.bargraph, 15, 'bargraph') |
      (m.probeError ? 0x10 : 0) |
      (m.searching ? 0x20 : 0) |
      ((pr & 0x80) >> 1);
    w.u8(b0, 'sync')
      .u8(bits(w, m.pleth, 127, 'pleth'), 'pleth')
      .u8(b2, 'byte2')
      .u8(pr & 0x7f, 'pulse_rate');
    return w.u8(bits(w, m.spo2, 127, 'spo2'), 'spo2').finish();
  },
  toJson(m) {
    return {
      signal_strength: m.signalStrength,
      finger_out: m.fingerOut,
      dropping_spo2: m.droppingSpo2,
      beep: m.beep,
      pleth: m.pleth,
      bargraph: m.bargraph,
      probe_error: m.probeError,
      searching: m.searching,
      pulse_rate: m.pulseRate,
      spo2: m.spo2,
    };
  },
});
