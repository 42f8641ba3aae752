import {
  BODY_COMPOSITION_UNSUCCESSFUL,
  type BodyCompositionMeasurement,
} from '../codecs/body-composition.ts';
import { WEIGHT_UNSUCCESSFUL, type WeightMeasurement } from '../codecs/weight.ts';
import { CODES } from './codes.ts';
import { effectiveAt } from './effective-time.ts';
import type { DraftCode, DraftValue, ObservationDraft } from './observation-draft.ts';
import type { ObserveContext } from './observation-draft.ts';
import { quantity } from './quantity.ts';

/** A raw count as a quantity with the field's fixed decimal step (0.005 kg = 5e-3 per count). */
function counted(raw: number, perCount: number, exponent: number, unit: string): DraftValue {
  if (raw === WEIGHT_UNSUCCESSFUL) return { kind: 'absent', reason: 'error' };
  return quantity({ kind: 'number', mantissa: raw * perCount, exponent }, unit);
}

/** Weight count: 0.005 kg (SI) or 0.01 lb (imperial). */
function weight(raw: number, imperial: boolean): DraftValue {
  return imperial ? counted(raw, 1, -2, '[lb_av]') : counted(raw, 5, -3, 'kg');
}

/** Height count: 1 mm exported as cm (SI) or 0.1 in. */
function height(raw: number, imperial: boolean): DraftValue {
  return counted(raw, 1, -1, imperial ? '[in_i]' : 'cm');
}

function draft(code: DraftCode, value: DraftValue, at: string): ObservationDraft {
  return { code, value, components: [], status: 'final', category: 'vital-signs', effectiveAt: at };
}

/**
 * A scale reading as body weight (29463-7), plus BMI (39156-5) and height (8302-2) when sent.
 * "Measurement Unsuccessful" becomes a weight with dataAbsentReason `error`.
 */
export function observeWeight(m: WeightMeasurement, ctx: ObserveContext): ObservationDraft[] {
  const at = effectiveAt(m.timestamp, ctx);
  const out = [draft(CODES.bodyWeight, weight(m.weightRaw, m.imperial), at)];
  if (m.bmiRaw !== null) out.push(draft(CODES.bmi, counted(m.bmiRaw, 1, -1, 'kg/m2'), at));
  if (m.heightRaw !== null) out.push(draft(CODES.bodyHeight, height(m.heightRaw, m.imperial), at));
  return out;
}

/**
 * Body composition as body fat % (41982-0) plus weight and height when the packet carries them;
 * the other fields (muscle, water, impedance...) have no agreed code here and stay raw.
 */
export function observeBodyComposition(
  m: BodyCompositionMeasurement,
  ctx: ObserveContext,
): ObservationDraft[] {
  const at = effectiveAt(m.timestamp, ctx);
  const fat: DraftValue =
    m.bodyFatRaw === BODY_COMPOSITION_UNSUCCESSFUL
      ? { kind: 'absent', reason: 'error' }
      : quantity({ kind: 'number', mantissa: m.bodyFatRaw, exponent: -1 }, '%');
  const out = [draft(CODES.bodyFat, fat, at)];
  const { weight: w, height: h } = m.fields;
  if (w !== undefined) out.push(draft(CODES.bodyWeight, weight(w, m.imperial), at));
  if (h !== undefined) out.push(draft(CODES.bodyHeight, height(h, m.imperial), at));
  return out;
}
