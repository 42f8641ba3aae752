import { defineCodec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';

/**
 * Codec for Measurement Interval (0x2A21, DEVICES.md 3.3): seconds between periodic thermometer
 * readings, 0 = no periodic measurement. Written by the kit, so both directions matter.
 */
export const measurementInterval = defineCodec<number>({
  name: 'measurement_interval',
  version: '1.0.0',
  uuid: 0x2a21,
  maxBytes: 2,
  decode(bytes) {
    const r = new ByteReader(bytes, 'measurement_interval');
    const seconds = r.u16('seconds');
    r.end();
    return seconds;
  },
  encode(seconds) {
    return new ByteWriter('measurement_interval').u16(seconds, 'seconds').finish();
  },
  toJson(seconds) {
    return { seconds, meaning: seconds === 0 ? 'no periodic measurement' : `every ${seconds} s` };
  },
});
