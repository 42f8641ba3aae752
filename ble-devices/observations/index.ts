import type { BloodPressure } from '../codecs/blood-pressure.ts';
import type { BodyCompositionMeasurement } from '../codecs/body-composition.ts';
import type { ContecLive5 } from '../codecs/contec/frame-5byte.ts';
import type { ContecLive9 } from '../codecs/contec/frame-9byte.ts';
import type { GlucoseContext } from '../codecs/glucose-context.ts';
import type { GlucoseMeasurement } from '../codecs/glucose.ts';
import type { HeartRateMeasurement } from '../codecs/heart-rate.ts';
import type { PlxContinuous } from '../codecs/plx-continuous.ts';
import type { PlxSpotCheck } from '../codecs/plx-spot-check.ts';
import type { TemperatureMeasurement } from '../codecs/temperature.ts';
import type { WeightMeasurement } from '../codecs/weight.ts';
import { observeBloodPressure } from './blood-pressure.ts';
import { observeBodyComposition, observeWeight } from './body-measures.ts';
import { observeContecLive5, observeContecLive9 } from './contec.ts';
import { observeGlucose, observeGlucoseContext } from './glucose.ts';
import { observeHeartRate } from './heart-rate.ts';
import type { ObservationDraft, ObserveContext } from './observation-draft.ts';
import { observePlxContinuous, observePlxSpotCheck } from './plx.ts';
import { observeTemperature } from './temperature.ts';

type Mapper = (decoded: unknown, ctx: ObserveContext) => ObservationDraft[];

/** Binds a typed mapper to the codec whose decode output it takes (the table is the contract). */
function mapper<T>(fn: (m: T, ctx: ObserveContext) => ObservationDraft[]): Mapper {
  return (decoded, ctx) => fn(decoded as T, ctx);
}

/**
 * Codec name -> mapper. Intermediate cuff pressure and intermediate temperature are display-only
 * (DEVICES.md 2.2, 3.2) and playback frames carry no time, so they, like feature/control/info
 * characteristics, map to no observation.
 */
const MAPPERS: Readonly<Record<string, Mapper>> = {
  heart_rate_measurement: mapper<HeartRateMeasurement>(observeHeartRate),
  blood_pressure_measurement: mapper<BloodPressure>(observeBloodPressure),
  temperature_measurement: mapper<TemperatureMeasurement>(observeTemperature),
  plx_spot_check_measurement: mapper<PlxSpotCheck>(observePlxSpotCheck),
  plx_continuous_measurement: mapper<PlxContinuous>(observePlxContinuous),
  glucose_measurement: mapper<GlucoseMeasurement>(observeGlucose),
  glucose_measurement_context: mapper<GlucoseContext>(observeGlucoseContext),
  weight_measurement: mapper<WeightMeasurement>(observeWeight),
  body_composition_measurement: mapper<BodyCompositionMeasurement>(observeBodyComposition),
  contec_live_5byte: mapper<ContecLive5>(observeContecLive5),
  contec_live_9byte: mapper<ContecLive9>(observeContecLive9),
};

/** Codec names that produce observations. */
export const OBSERVED_CODECS: readonly string[] = Object.keys(MAPPERS);

/**
 * One entry point for the pipeline: a decoded value (the output of the codec named `codecName`)
 * to FHIR-ready drafts. Codecs that are not measurements return an empty list.
 */
export function observe(codecName: string, decoded: unknown, ctx: ObserveContext): ObservationDraft[] {
  const map = MAPPERS[codecName];
  return map ? map(decoded, ctx) : [];
}

export type { ObservationDraft, ObserveContext, DraftValue, DraftCode } from './observation-draft.ts';
