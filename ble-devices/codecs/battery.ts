import { defineCodec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { CodecError } from './errors.ts';

/**
 * Codec for Battery Level (0x2A19, DEVICES.md 7.2): percent 0-100. Values 101-255 are reserved
 * and rejected, so a garbled read never shows as a full battery.
 */
export const batteryLevel = defineCodec<number>({
  name: 'battery_level',
  version: '1.0.0',
  uuid: 0x2a19,
  maxBytes: 1,
  decode(bytes) {
    const r = new ByteReader(bytes, 'battery_level');
    const percent = r.u8('percent');
    r.end();
    if (percent > 100)
      throw new CodecError('invalid_value', 'battery_level', 'percent', 0, `${percent} > 100`);
    return percent;
  },
  encode(percent) {
    if (percent > 100)
      throw new CodecError('invalid_value', 'battery_level', 'percent', 0, `${percent} > 100`);
    return new ByteWriter('battery_level').u8(percent, 'percent').finish();
  },
  toJson(percent) {
    return { percent };
  },
});
