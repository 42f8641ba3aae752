import type { PlxContinuous } from '../codecs/plx-continuous.ts';
import type { PlxSpotCheck } from '../codecs/plx-spot-check.ts';
import { NOT_PATIENT_DATA_MASK, UNUSABLE_MASK } from '../codecs/plx-status.ts';
import { CODES } from './codes.ts';
import { effectiveAt } from './effective-time.ts';
import type { DraftValue, ObservationDraft, ObserveContext } from './observation-draft.ts';
import { quantity } from './quantity.ts';
import type { MderFloat } from '../codecs/ieee11073-float.ts';

function policy(status: number | null, value: DraftValue): DraftValue {
  if (status === null) return value;
  if ((status & NOT_PATIENT_DATA_MASK) !== 0) return { kind: 'absent', reason: 'masked' };
  if ((status & UNUSABLE_MASK) !== 0) return { kind: 'absent', reason: 'error' };
  return value;
}

function spo2AndPr(
  m: { spo2: MderFloat; pr: MderFloat; measurementStatus: number | null },
  at: string,
): ObservationDraft[] {
  const status = m.measurementStatus;
  const draftStatus = status !== null && (status & (1 << 5)) !== 0 ? 'preliminary' : 'final';
  // Literals, not spreads of a shared base: this runs per notification (60/s per oximeter).
  return [
    {
      code: CODES.spo2,
      value: policy(status, quantity(m.spo2, '%')),
      components: [],
      status: draftStatus,
      category: 'vital-signs',
      effectiveAt: at,
    },
    {
      code: CODES.heartRateOximeter,
      value: policy(status, quantity(m.pr, '/min')),
      components: [],
      status: draftStatus,
      category: 'vital-signs',
      effectiveAt: at,
    },
  ];
}

/**
 * A continuous PLX frame as SpO2 (2708-6, % ) and pulse rate (8867-4, /min) observations,
 * stamped with the collector clock (the profile carries no timestamp). Demo/test data is masked,
 * unavailable/questionable/invalid data becomes absent, never a number.
 */
export function observePlxContinuous(m: PlxContinuous, ctx: ObserveContext): ObservationDraft[] {
  return spo2AndPr(m, ctx.receivedAt.toISOString());
}

/**
 * A spot-check reading: same codes and status policy as the continuous stream, but at the device
 * timestamp (corrected by the clock offset) unless the device says its clock was never set.
 */
export function observePlxSpotCheck(m: PlxSpotCheck, ctx: ObserveContext): ObservationDraft[] {
  return spo2AndPr(m, effectiveAt(m.deviceClockNotSet ? null : m.timestamp, ctx));
}
