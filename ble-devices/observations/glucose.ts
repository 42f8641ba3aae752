import type { GlucoseContext } from '../codecs/glucose-context.ts';
import {
  CONTROL_SOLUTION_LOCATION,
  CONTROL_SOLUTION_TYPE,
  SENSOR_STATUS_UNUSABLE_MASK,
} from '../codecs/glucose-tables.ts';
import { shiftDecimal, type GlucoseMeasurement } from '../codecs/glucose.ts';
import { CODES } from './codes.ts';
import { effectiveAt } from './effective-time.ts';
import { glucoseCode } from './glucose-codes.ts';
import type { DraftValue, ObservationDraft, ObserveContext } from './observation-draft.ts';
import { quantity } from './quantity.ts';

/**
 * A meter record as one laboratory observation in mg/dL (from kg/L, x 100 000) or mmol/L (from
 * mol/L, x 1 000), shifted exactly by decimal exponent so no precision is invented. Control-
 * solution readings are QC, not patient data: value masked. Annunciations that void the result
 * (malfunction, sample/strip errors, out of range, interrupted, device fault) make it absent.
 * Effective time = base time + time offset, corrected by the clock offset.
 */
export function observeGlucose(m: GlucoseMeasurement, ctx: ObserveContext): ObservationDraft[] {
  const c = m.concentration;
  if (!c) return [];
  const molar = c.unit === 'mol/L';
  const control = c.type === CONTROL_SOLUTION_TYPE || c.sampleLocation === CONTROL_SOLUTION_LOCATION;
  let value: DraftValue = quantity(shiftDecimal(c.value, molar ? 3 : 5), molar ? 'mmol/L' : 'mg/dL');
  if (m.sensorStatus !== null && (m.sensorStatus & SENSOR_STATUS_UNUSABLE_MASK) !== 0) {
    value = { kind: 'absent', reason: 'error' };
  }
  if (control) value = { kind: 'absent', reason: 'masked' };
  return [
    {
      code: glucoseCode(c.type, molar),
      value,
      components: [],
      status: 'final',
      category: 'laboratory',
      effectiveAt: effectiveAt(m.baseTime, ctx, m.timeOffsetMinutes ?? 0),
    },
  ];
}

/**
 * The context's HbA1c (4548-4, %) as its own observation; other context fields (meal, tester,
 * carbohydrate, medication) stay on the raw reading, the last two because their unit is
 * uncertain (DEVICES.md 5.2). The pipeline joins context and measurement by sequence number;
 * here the receive time stands in for the measurement time.
 */
export function observeGlucoseContext(m: GlucoseContext, ctx: ObserveContext): ObservationDraft[] {
  if (!m.hba1c) return [];
  return [
    {
      code: CODES.hba1c,
      value: quantity(m.hba1c, '%'),
      components: [],
      status: 'final',
      category: 'laboratory',
      effectiveAt: ctx.receivedAt.toISOString(),
    },
  ];
}
