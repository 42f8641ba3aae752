import { dateTimeToInstant } from '../../ble-devices/codecs/date-time.ts';
import { readCurrentTime, writeCurrentTime } from '../../ble-devices/drivers/device-services.ts';
import type { GattConnection } from '../../ble-devices/transport.ts';

/** What a clock check found: the offset before and after setting, and whether it was set. */
export interface ClockCheck {
  /** The instrument has Current Time (0x1805/0x2A2B). */
  readonly supported: boolean;
  /** kit_now - device_now as first read, ms (null without Current Time or with an unknown date). */
  readonly before: number | null;
  /** The same after the kit set the clock (null when it did not). */
  readonly after: number | null;
  /** Kit time at which the clock was set (null when it was not). */
  readonly setAt: number | null;
}

/** Options of {@link checkClock}. */
export interface ClockCheckOptions {
  readonly utcOffsetMinutes: number;
  readonly now: () => Date;
  /** Offsets within this are left alone (Current Time has one-second fields). */
  readonly toleranceMs: number;
  readonly signal?: AbortSignal;
}

/** kit_now - device_now for one Current Time read, compensating half the read's round trip. */
async function measure(conn: GattConnection, o: ClockCheckOptions): Promise<number | null | undefined> {
  const sent = o.now().getTime();
  const t = await readCurrentTime(conn, o.signal);
  if (!t) return undefined;
  const received = o.now().getTime();
  const device = dateTimeToInstant(t.dateTime, o.utcOffsetMinutes);
  if (!device) return null;
  const deviceMs = device.getTime() + Math.floor((t.fractions256 * 1000) / 256);
  return Math.round((sent + received) / 2 - deviceMs);
}

/**
 * Reads the instrument's Current Time, and when it is off by more than the tolerance (a clock at
 * 1970 or 2019, UTC where local time was meant, drift) writes the kit's local time and reads it
 * back. Instruments without Current Time, or with a read-only one, are corrected in software only.
 */
export async function checkClock(conn: GattConnection, o: ClockCheckOptions): Promise<ClockCheck> {
  const before = await measure(conn, o);
  if (before === undefined) return { supported: false, before: null, after: null, setAt: null };
  if (before !== null && Math.abs(before) <= o.toleranceMs)
    return { supported: true, before, after: null, setAt: null };
  const setAt = o.now().getTime();
  if (!(await writeCurrentTime(conn, o.now(), o.utcOffsetMinutes, o.signal)))
    return { supported: true, before, after: null, setAt: null };
  const after = await measure(conn, o);
  return { supported: true, before, after: after ?? null, setAt };
}

/** Readings stamped up to this far ahead of their arrival still count as "now". */
const FUTURE_SLACK_MS = 5_000;
/** The earliest a plausible device timestamp can be when nothing better is known. */
const PLAUSIBLE_FROM = Date.UTC(2015, 0, 1);

/**
 * The offset (kit_now - device_now) to add to a device timestamp, given what the clock check
 * found. After the kit set the clock, a record is dated by the new clock only if that puts it
 * between the setting and its arrival; anything else (a cuff's or meter's memory) was stamped by
 * the old clock and takes the offset measured before setting. Without Current Time there is no
 * measurement: a timestamp before 2015 or in the future is evidently a wrong clock and is dated
 * by its arrival (the offset then says by how much it was wrong); others are kept as stated.
 */
export function clockCorrection(check: ClockCheck | null): (deviceInstant: Date, receivedAt: Date) => number {
  return (deviceInstant, receivedAt) => {
    const device = deviceInstant.getTime();
    const arrived = receivedAt.getTime();
    if (check && check.after !== null && check.setAt !== null) {
      const corrected = device + check.after;
      if (corrected >= check.setAt - 2_000 && corrected <= arrived + FUTURE_SLACK_MS) return check.after;
    }
    if (check && check.before !== null) return check.before;
    if (device < PLAUSIBLE_FROM || device > arrived + 24 * 3_600_000) return arrived - device;
    return 0;
  };
}
