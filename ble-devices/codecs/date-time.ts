import type { ByteReader, ByteWriter } from './cursor.ts';
import { CodecError } from './errors.ts';

/**
 * The 7-octet Date Time of the SIG profiles: the device's local wall clock, no zone, and 0 in
 * year/month/day meaning unknown (DEVICES.md 0.4). Kept as fields, never silently turned into
 * an instant: the kit applies the device clock offset later.
 */
export interface DateTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hours: number;
  readonly minutes: number;
  readonly seconds: number;
}

const LIMITS: ReadonlyArray<[keyof DateTime, number, number]> = [
  ['month', 0, 12],
  ['day', 0, 31],
  ['hours', 0, 23],
  ['minutes', 0, 59],
  ['seconds', 0, 59],
];

function check(dt: DateTime, codec: string, field: string, offset: number): void {
  if (dt.year !== 0 && (dt.year < 1582 || dt.year > 9999)) {
    throw new CodecError(
      'invalid_value',
      codec,
      `${field}.year`,
      offset,
      `year ${dt.year} is outside 1582..9999 (0 = unknown)`,
    );
  }
  for (const [key, min, max] of LIMITS) {
    const v = dt[key];
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new CodecError(
        'invalid_value',
        codec,
        `${field}.${key}`,
        offset,
        `${v} is outside ${min}..${max}`,
      );
    }
  }
}

/** Reads a Date Time field and checks every part's range. */
export function readDateTime(r: ByteReader, field: string): DateTime {
  const offset = r.offset;
  const dt: DateTime = {
    year: r.u16(`${field}.year`),
    month: r.u8(`${field}.month`),
    day: r.u8(`${field}.day`),
    hours: r.u8(`${field}.hours`),
    minutes: r.u8(`${field}.minutes`),
    seconds: r.u8(`${field}.seconds`),
  };
  check(dt, r.codec, field, offset);
  return dt;
}

/** Writes a Date Time field after the same range checks the decoder applies. */
export function writeDateTime(w: ByteWriter, dt: DateTime, field: string): void {
  check(dt, w.codec, field, w.length);
  w.u16(dt.year, `${field}.year`)
    .u8(dt.month, `${field}.month`)
    .u8(dt.day, `${field}.day`)
    .u8(dt.hours, `${field}.hours`)
    .u8(dt.minutes, `${field}.minutes`)
    .u8(dt.seconds, `${field}.seconds`);
}

/** True when every calendar part is known, so the value can become an instant. */
export function isComplete(dt: DateTime): boolean {
  return dt.year !== 0 && dt.month !== 0 && dt.day !== 0;
}

/** The device wall-clock time as a UTC instant, given the kit's offset; null when any part is unknown. */
export function dateTimeToInstant(dt: DateTime, utcOffsetMinutes: number): Date | null {
  if (!isComplete(dt)) return null;
  const ms = Date.UTC(dt.year, dt.month - 1, dt.day, dt.hours, dt.minutes, dt.seconds);
  return new Date(ms - utcOffsetMinutes * 60_000);
}

/** The inverse, for simulators and clock sync: a Date as local wall-clock fields. */
export function dateTimeFromDate(date: Date, utcOffsetMinutes: number): DateTime {
  const d = new Date(date.getTime() + utcOffsetMinutes * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hours: d.getUTCHours(),
    minutes: d.getUTCMinutes(),
    seconds: d.getUTCSeconds(),
  };
}
