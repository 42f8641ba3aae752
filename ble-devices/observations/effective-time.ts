import { dateTimeToInstant, type DateTime } from '../codecs/date-time.ts';
import type { ObserveContext } from './observation-draft.ts';

/**
 * The effective instant of a reading: the device wall-clock time (plus any record offset in
 * minutes) corrected by the measured device clock offset, or the collector receive time when the
 * device gave none, gave an incomplete date (0 = unknown) or says its clock was never set.
 */
export function effectiveAt(dt: DateTime | null, ctx: ObserveContext, extraMinutes = 0): string {
  const device = dt ? dateTimeToInstant(dt, ctx.utcOffsetMinutes) : null;
  if (!device) return ctx.receivedAt.toISOString();
  return new Date(device.getTime() + extraMinutes * 60_000 + ctx.deviceClockOffsetMs).toISOString();
}
