import type { HeartRateMeasurement } from '../codecs/heart-rate.ts';
import { CODES } from './codes.ts';
import type { ObservationDraft, ObserveContext } from './observation-draft.ts';

/**
 * A strap's heart rate as 8867-4 (/min, MDC_ECG_HEART_RATE), stamped with the collector clock (the
 * profile has no timestamp). When the strap reports "contact supported but not detected" the
 * number is noise, so no observation is made. RR intervals and energy stay in the raw reading.
 */
export function observeHeartRate(m: HeartRateMeasurement, ctx: ObserveContext): ObservationDraft[] {
  if (m.sensorContact === 'supported_not_detected') return [];
  return [
    {
      code: CODES.heartRateStrap,
      value: { kind: 'quantity', value: m.heartRate, precision: 0, unit: '/min' },
      components: [],
      status: 'final',
      category: 'vital-signs',
      effectiveAt: ctx.receivedAt.toISOString(),
    },
  ];
}
