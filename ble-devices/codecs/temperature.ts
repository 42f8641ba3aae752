import { defineCodec, type Codec, type JsonObject } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { readFloat, writeFloat, type MderFloat } from './ieee11073-float.ts';
import { mderDetailJson } from './primitives.ts';
import { temperatureTypeName } from './temperature-type.ts';

/**
 * Temperature Measurement (0x2A1C) and Intermediate Temperature (0x2A1E), one layout
 * (DEVICES.md 3.1, 3.2). The value is a 32-bit FLOAT; its exponent is the device precision.
 */
export interface TemperatureMeasurement {
  readonly unit: 'Cel' | '[degF]';
  readonly value: MderFloat;
  readonly timestamp: DateTime | null;
  /** Temperature Type code (site), or null when the frame carries none. */
  readonly temperatureType: number | null;
}

function temperatureCodec(name: string, uuid: number): Codec<TemperatureMeasurement> {
  return defineCodec<TemperatureMeasurement>({
    name,
    version: '1.0.0',
    uuid,
    maxBytes: 13,
    decode(bytes) {
      const r = new ByteReader(bytes, name);
      const flags = r.u8('flags');
      const unit = flags & 0x01 ? '[degF]' : 'Cel';
      const value = readFloat(r, 'temperature');
      const timestamp = flags & 0x02 ? readDateTime(r, 'timestamp') : null;
      const temperatureType = flags & 0x04 ? r.u8('temperature_type') : null;
      r.end();
      return { unit, value, timestamp, temperatureType };
    },
    encode(m) {
      const w = new ByteWriter(name);
      const flags =
        (m.unit === '[degF]' ? 0x01 : 0) | (m.timestamp ? 0x02 : 0) | (m.temperatureType !== null ? 0x04 : 0);
      w.u8(flags, 'flags');
      writeFloat(w, m.value, 'temperature');
      if (m.timestamp) writeDateTime(w, m.timestamp, 'timestamp');
      if (m.temperatureType !== null) w.u8(m.temperatureType, 'temperature_type');
      return w.finish();
    },
    toJson(m): JsonObject {
      return {
        unit: m.unit,
        ...mderDetailJson(m.value),
        timestamp: m.timestamp ? { ...m.timestamp } : null,
        temperature_type: m.temperatureType === null ? null : temperatureTypeName(m.temperatureType),
        temperature_type_code: m.temperatureType,
      };
    },
  });
}

/** Codec for 0x2A1C (indicated; the stored reading). */
export const temperatureMeasurement = temperatureCodec('temperature_measurement', 0x2a1c);
/** Codec for 0x2A1E (notified while the reading settles; display only). */
export const intermediateTemperature = temperatureCodec('intermediate_temperature', 0x2a1e);
