import { defineCodec } from '../codec.ts';
import { ByteReader, ByteWriter } from '../cursor.ts';
import { CodecError } from '../errors.ts';
import { FRAME9_LENGTH, high7 } from './frame-9byte.ts';

/** One 1-second stored sample. */
export interface ContecSample {
  readonly spo2: number;
  readonly pulseRate: number;
}

/**
 * Stored-session playback frame of firmware 4.6+ (`0F 80 SpO2 PR SpO2 PR SpO2 PR 00`, DEVICES.md
 * 9.1 B): three 1-second samples and no timestamp, so the start time must come from the user
 * or the session-time command. Sample bytes are read masked with 0x7F and written with bit 7 set.
 */
export interface ContecPlayback9 {
  readonly samples: readonly [ContecSample, ContecSample, ContecSample];
}

/** First two bytes of a playback frame. */
export const PLAYBACK9_TYPE = 0x0f;
const NAME = 'contec_playback_9byte';

/** -1 when a playback frame starts at `at`, else the offset of the first wrong header byte. */
export function playback9SyncBreak(bytes: Uint8Array, at: number): number {
  if (bytes[at] !== PLAYBACK9_TYPE) return 0;
  return bytes[at + 1] === 0x80 ? -1 : 1;
}

/** Reads a frame already checked by {@link playback9SyncBreak}. */
export function readPlayback9(bytes: Uint8Array, at: number): ContecPlayback9 {
  const sample = (i: number): ContecSample => ({
    spo2: bytes[at + 2 + i * 2]! & 0x7f,
    pulseRate: bytes[at + 3 + i * 2]! & 0x7f,
  });
  return { samples: [sample(0), sample(1), sample(2)] };
}

/** Codec for one playback frame. */
export const contecPlayback9 = defineCodec<ContecPlayback9>({
  name: NAME,
  version: '1.0.0',
  uuid: null,
  maxBytes: FRAME9_LENGTH,
  decode(bytes) {
    new ByteReader(bytes, NAME).take(FRAME9_LENGTH, 'frame');
    const broken = playback9SyncBreak(bytes, 0);
    if (broken >= 0) throw new CodecError('invalid_value', NAME, 'header', broken, 'expected 0F 80');
    return readPlayback9(bytes, 0);
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    w.u8(PLAYBACK9_TYPE, 'type').u8(0x80, 'header');
    m.samples.forEach((s, i) => {
      high7(w, s.spo2, `samples[${i}].spo2`);
      high7(w, s.pulseRate, `samples[${i}].pulse_rate`);
    });
    return w.u8(0, 'end').finish();
  },
  toJson(m) {
    return { samples: m.samples.map((s) => ({ spo2: s.spo2, pulse_rate: s.pulseRate })) };
  },
});
