import { defineCodec } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';

/**
 * Contec CMS50 live frame, firmware 4.6+ (9 bytes @ 115200, ~60/s, DEVICES.md 9.1 B [likely]):
 * `01 status b2 b3 b4 PR SpO2 FF FF`, every byte after the first with bit 7 set. Roles of b2-b4
 * are reverse-engineered guesses, so they are kept as 7-bit values as well as interpreted.
 */
export interface ContecLive9 {
  /** Byte 1 whole: 0xE0 valid, 0xE1 PR/SpO2 not yet valid, 0xE2 no valid data. */
  readonly status: number;
  /** Byte 2 & 0x7F: low nibble signal strength, bit 6 maybe a beat marker. */
  readonly byte2: number;
  readonly plethA: number;
  readonly plethB: number;
  readonly pulseRate: number;
  readonly spo2: number;
  /** Bytes 7-8 & 0x7F (0x7F 0x7F in every capture seen). */
  readonly tail: readonly [number, number];
}

/** Frame length of the newer generation (live, playback and commands). */
export const FRAME9_LENGTH = 9;
/** First byte of a live frame. */
export const LIVE9_TYPE = 0x01;
const NAME = 'contec_live_9byte';
const STATES: Readonly<Record<number, string>> = {
  0xe0: 'valid',
  0xe1: 'pulse_spo2_not_valid',
  0xe2: 'no_valid_data',
};

/** Offset of the first byte breaking the live-frame pattern at `at`, or -1 for a well-formed frame. */
export function live9SyncBreak(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== LIVE9_TYPE) return 0;
  for (let i = 1; i < FRAME9_LENGTH; i++) if ((bytes[at + i]! & 0x80) === 0) return i;
  return -1;
}

/** Reads a frame already checked by {@link live9SyncBreak}. */
export function readLive9(bytes: Uint8Array, at: number): ContecLive9 {
  return {
    status: bytes[at + 1]!,
    byte2: bytes[at + 2]! & 0x7f,
    plethA: bytes[at + 3]! & 0x7f,
    plethB: bytes[at + 4]! & 0x7f,
    pulseRate: bytes[at + 5]! & 0x7f,
    spo2: bytes[at + 6]! & 0x7f,
    tail: [bytes[at + 7]! & 0x7f, bytes[at + 8]! & 0x7f],
  };
}

/** True when the status byte says PR and SpO2 are valid (low two bits clear). */
export function live9Valid(m: ContecLive9): boolean {
  return (m.status & 0x03) === 0;
}

/** Writes a 7-bit value with the protocol's bit 7 set. */
export function high7(w: ByteWriter, value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x7f) {
    throw new CodecError('invalid_value', w.codec, field, w.length, `${value} is outside 0..127`);
  }
  w.u8(0x80 | value, field);
}

/** Codec for one 9-byte live frame. */
export const contecLive9 = defineCodec<ContecLive9>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: FRAME9_LENGTH,
  decode(bytes) {
    new ByteReader(bytes, NAME).take(FRAME9_LENGTH, 'frame');
    const broken = live9SyncBreak(bytes, 0);
    if (broken === 0)
      throw new CodecError('invalid_value', NAME, 'type', 0, `expected 0x01, got ${bytes[0]}`);
    if (broken > 0) throw new CodecError('invalid_value', NAME, `byte${broken}`, broken, 'bit 7 clear');
    return readLive9(bytes, 0);
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    w.u8(LIVE9_TYPE, 'type');
    if (m.status < 0x80) throw new CodecError('invalid_value', NAME, 'status', 1, 'status needs bit 7 set');
    w.u8(m.status, 'status');
    high7(w, m.byte2, 'byte2');
    high7(w, m.plethA, 'pleth_a');
    high7(w, m.plethB, 'pleth_b');
    high7(w, m.pulseRate, 'pulse_rate');
    high7(w, m.spo2, 'spo2');
    high7(w, m.tail[0], 'tail0');
    high7(w, m.tail[1], 'tail1');
    return w.finish();
  },
  toJson(m) {
    return {
      valid: live9Valid(m),
      status_byte: m.status,
      state: STATES[m.status] ?? 'unknown',
      signal: m.byte2 & 0x0f,
      beat: (m.byte2 & 0x40) !== 0,
      pleth_a: m.plethA,
      pleth_b: m.plethB,
      pulse_rate: m.pulseRate,
      spo2: m.spo2,
    };
  },
});
