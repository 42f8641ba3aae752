import type { PlxContinuous } from '../codecs/plx-continuous.ts';
import { NOT_PATIENT_DATA_MASK, UNUSABLE_MASK } from '../codecs/plx-status.ts';
import { CODES } from './codes.ts';
import type { DraftValue, ObservationDraft, ObserveContext } from './observation-draft.ts';
import { quantity } from './quantity.ts';

function policy(status: number | null, value: DraftValue): DraftValue {
  if (status === null) return value;
  if ((status & NOT_PATIENT_DATA_MASK) !== 0) return { kind: 'absent', reason: 'masked' };
  if ((status & UNUSABLE_MASK) !== 0) return { kind: 'absent', reason: 'error' };
  return value;
}

/**
 * A continuous PLX frame as SpO2 (2708-6, % ) and pulse rate (8867-4, /min) observations,
 * stamped with the collector clock (the profile carries no timestamp). Demo/test data is masked,
 * unavailable/questionable/invalid data becomes absent, never a number.
 */
export function observePlxContinuous(m: PlxContinuous, ctx: ObserveContext): ObservationDraft[] {
  const effectiveAt = ctx.receivedAt.toISOString();
  const status = m.measurementStatus;
  const preliminary = status !== null && (status & (1 << 5)) !== 0;
  const base = { components: [], category: 'vital-signs', effectiveAt } as const;
  return [
    {
      ...base,
      code: CODES.spo2,
      value: policy(status, quantity(m.spo2, '%')),
      status: preliminary ? 'preliminary' : 'final',
    },
    {
      ...base,
      code: CODES.heartRateOximeter,
      value: policy(status, quantity(m.pr, '/min')),
      status: preliminary ? 'preliminary' : 'final',
    },
  ];
}
