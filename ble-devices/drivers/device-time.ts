import { dateTimeToInstant, type DateTime } from '../codecs/date-time.ts';

/** A device timestamp as a frame carries it: wall-clock fields plus any record offset in minutes. */
export interface StampedTime {
  readonly dateTime: DateTime;
  /** Glucose Time Offset: user-facing time = base time + offset (minutes). */
  readonly extraMinutes?: number;
}

/**
 * The instant a device stated (its wall clock read in the kit's zone, plus any record offset),
 * uncorrected; null when the date is incomplete (0 = unknown). Clock correction comes later.
 */
export function deviceInstant(stamp: StampedTime, utcOffsetMinutes: number): Date | null {
  const at = dateTimeToInstant(stamp.dateTime, utcOffsetMinutes);
  return at ? new Date(at.getTime() + (stamp.extraMinutes ?? 0) * 60_000) : null;
}

/**
 * ISO 8601 with an explicit offset (`2019-01-01T00:00:05+03:00`): how a device's own time is kept
 * beside the corrected one, so its wall-clock reading stays recognisable to a person.
 */
export function isoWithOffset(date: Date, offsetMinutes: number): string {
  const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
  if (offsetMinutes === 0) return `${local}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hh}:${mm}`;
}
