import { mderPrecision, mderValue, type MderFloat } from '../codecs/ieee11073-float.ts';
import type { AbsentReason, DraftValue } from './observation-draft.ts';

const ABSENT: Record<string, AbsentReason> = {
  NaN: 'not-a-number',
  '+INF': 'positive-infinity',
  '-INF': 'negative-infinity',
  NRes: 'error',
  RESERVED: 'error',
};

/**
 * An IEEE-11073 number as a FHIR quantity keeping the device precision, or the PHD IG's
 * dataAbsentReason for special values (NaN -> not-a-number, NRes/reserved -> error).
 */
export function quantity(f: MderFloat, unit: string, scale = 1): DraftValue {
  if (f.kind === 'special') return { kind: 'absent', reason: ABSENT[f.special] ?? 'error' };
  const precision = mderPrecision(f);
  const value = scale === 1 ? mderValue(f)! : Number((mderValue(f)! * scale).toFixed(precision));
  return { kind: 'quantity', value, precision, unit };
}
