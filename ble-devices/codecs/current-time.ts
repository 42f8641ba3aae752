import { bitNames, defineCodec } from './codec.ts';
import { ByteReader, ByteWriter } from './cursor.ts';
import { readDateTime, writeDateTime, type DateTime } from './date-time.ts';
import { CodecError } from './errors.ts';
import { enumName, type NameTable } from './tables.ts';

/** Day of Week codes, 0 = unknown. */
export const DAYS_OF_WEEK: NameTable = [
  'unknown',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
];
/** Adjust Reason bits. */
export const ADJUST_REASON_BITS: NameTable = [
  'manual_time_update',
  'external_reference_time_update',
  'change_of_time_zone',
  'change_of_dst',
];

/**
 * Current Time (0x2A2B, DEVICES.md 7.3): read to measure the device clock offset, written (with
 * Adjust Reason bit 0) to correct it. Both directions are used by the kit.
 */
export interface CurrentTime {
  readonly dateTime: DateTime;
  readonly dayOfWeek: number;
  readonly fractions256: number;
  readonly adjustReason: number;
}

const NAME = 'current_time';

/** Codec for 0x2A2B (10 bytes). */
export const currentTime = defineCodec<CurrentTime>({
  name: NAME,
  version: '1.0.0',
  uuid: 0x2a2b,
  maxBytes: 10,
  decode(bytes) {
    const r = new ByteReader(bytes, NAME);
    const dateTime = readDateTime(r, 'date_time');
    const dayOfWeek = r.u8('day_of_week');
    if (dayOfWeek > 7)
      throw new CodecError('invalid_value', NAME, 'day_of_week', 7, `${dayOfWeek} is outside 0..7`);
    const fractions256 = r.u8('fractions256');
    const adjustReason = r.u8('adjust_reason');
    r.end();
    return { dateTime, dayOfWeek, fractions256, adjustReason };
  },
  encode(m) {
    const w = new ByteWriter(NAME);
    writeDateTime(w, m.dateTime, 'date_time');
    if (m.dayOfWeek > 7)
      throw new CodecError('invalid_value', NAME, 'day_of_week', 7, `${m.dayOfWeek} is outside 0..7`);
    return w
      .u8(m.dayOfWeek, 'day_of_week')
      .u8(m.fractions256, 'fractions256')
      .u8(m.adjustReason, 'adjust_reason')
      .finish();
  },
  toJson(m) {
    return {
      date_time: { ...m.dateTime },
      day_of_week: enumName(DAYS_OF_WEEK, m.dayOfWeek),
      day_of_week_code: m.dayOfWeek,
      fractions256: m.fractions256,
      adjust_reason_raw: m.adjustReason,
      adjust_reason: bitNames(m.adjustReason, ADJUST_REASON_BITS),
    };
  },
});

/** Local Time Information (0x2A0F): zone in 15-minute steps (-128 unknown) and DST offset code. */
export interface LocalTimeInformation {
  readonly timeZone: number;
  readonly dstOffset: number;
}

const DST_HOURS: Readonly<Record<number, number>> = { 0: 0, 2: 0.5, 4: 1, 8: 2 };

/** Codec for 0x2A0F: turns device wall-clock times into instants when the device knows its zone. */
export const localTimeInformation = defineCodec<LocalTimeInformation>({
  name: 'local_time_information',
  version: '1.0.0',
  uuid: 0x2a0f,
  maxBytes: 2,
  decode(bytes) {
    const r = new ByteReader(bytes, 'local_time_information');
    const zone = r.u8('time_zone');
    const dstOffset = r.u8('dst_offset');
    r.end();
    return { timeZone: zone >= 0x80 ? zone - 0x100 : zone, dstOffset };
  },
  encode(m) {
    const w = new ByteWriter('local_time_information');
    if (!Number.isInteger(m.timeZone) || m.timeZone < -128 || m.timeZone > 127) {
      throw new CodecError(
        'invalid_value',
        'local_time_information',
        'time_zone',
        0,
        `${m.timeZone} is not sint8`,
      );
    }
    return w
      .u8(m.timeZone & 0xff, 'time_zone')
      .u8(m.dstOffset, 'dst_offset')
      .finish();
  },
  toJson(m) {
    return {
      time_zone: m.timeZone,
      utc_offset_minutes: m.timeZone === -128 ? null : m.timeZone * 15,
      dst_offset: m.dstOffset,
      dst_offset_hours: DST_HOURS[m.dstOffset] ?? null,
    };
  },
});
