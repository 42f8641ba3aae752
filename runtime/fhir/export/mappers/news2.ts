import type { ObservationRecord } from '../../../../store/index.ts';
import { news2, type News2Parameter, type News2Result } from '../../../../pwa/shared/news2.ts';
import { news2InputOf } from '../../../../pwa/shared/vitals.ts';
import { toWireObservation } from '../../../http/wire.ts';
import type { CodeableConcept, Observation, ObservationComponent } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { SYSTEMS } from './coding.ts';

/**
 * The kit's own NEWS2 code system (documented in runtime/fhir/README.md): LOINC has no code for
 * the NEWS2 total or its parameter scores, so each coding pairs the SNOMED CT UK edition concept
 * (what NHS England's UK Core uses) with this local code that any reader can resolve from the README.
 */
export const NEWS2_SYSTEM = 'urn:fieldkit:fhir:codesystem:news2';
/** The RCP clinical risk bands, as an interpretation of the total. */
export const NEWS2_RISK_SYSTEM = 'urn:fieldkit:fhir:codesystem:news2-risk';

/** SNOMED CT UK edition concepts (UK Core value sets EarlyWarningTotalScores / EarlyWarningSubScore). */
const SNOMED = {
  total: [
    '1104051000000101',
    'Royal College of Physicians NEWS2 (National Early Warning Score 2) total score',
  ],
  respirationRate: [
    '1104301000000104',
    'Royal College of Physicians National Early Warning Score 2 - respiration rate score',
  ],
  spo2Scale1: [
    '1104311000000102',
    'Royal College of Physicians National Early Warning Score 2 - oxygen saturation scale 1 score',
  ],
  spo2Scale2: [
    '1104321000000108',
    'Royal College of Physicians National Early Warning Score 2 - oxygen saturation scale 2 score',
  ],
  oxygen: [
    '1104331000000105',
    'Royal College of Physicians National Early Warning Score 2 - air or oxygen score',
  ],
  systolic: [
    '1104341000000101',
    'Royal College of Physicians National Early Warning Score 2 - systolic blood pressure score',
  ],
  pulse: ['1104351000000103', 'Royal College of Physicians National Early Warning Score 2 - pulse score'],
  consciousness: [
    '1104361000000100',
    'Royal College of Physicians National Early Warning Score 2 - consciousness score',
  ],
  temperature: [
    '1104371000000107',
    'Royal College of Physicians National Early Warning Score 2 - temperature score',
  ],
} as const;

/** Local codes and Russian-neutral displays of the parts (the local system's content). */
const LOCAL: Readonly<Record<News2Parameter | 'total', string>> = {
  total: 'NEWS2 total score',
  respirationRate: 'NEWS2 respiration rate score',
  spo2: 'NEWS2 oxygen saturation score',
  oxygen: 'NEWS2 air or oxygen score',
  systolic: 'NEWS2 systolic blood pressure score',
  pulse: 'NEWS2 pulse score',
  consciousness: 'NEWS2 consciousness score',
  temperature: 'NEWS2 temperature score',
};

function code(part: News2Parameter | 'total', scale: 1 | 2): CodeableConcept {
  const key = part === 'spo2' ? (scale === 1 ? 'spo2Scale1' : 'spo2Scale2') : part;
  const [snomed, display] = SNOMED[key];
  const local = part === 'spo2' ? `spo2-scale${scale}` : part;
  return {
    coding: [
      { system: SYSTEMS.snomed, code: snomed, display },
      { system: NEWS2_SYSTEM, code: local, display: LOCAL[part] },
    ],
    text: LOCAL[part],
  };
}

const score = (value: number) => ({ value, unit: 'score', system: SYSTEMS.ucum, code: '{score}' });

/** The NEWS2 of a visit's readings, with the readings each parameter was taken from. */
export interface VisitNews2 {
  readonly result: News2Result;
  readonly scale: 1 | 2;
  /** Ids of the observations the parameters were read from, in chart order. */
  readonly sources: readonly string[];
  /** When the newest of those readings was taken. */
  readonly effectiveAt: string;
}

/**
 * Scores a visit's stored readings with the same pure NEWS2 function and the same "newest usable
 * value per parameter" rule the tablet shows (pwa/shared/news2.ts, vitals.ts): the export never
 * has a second NEWS2. Undefined when no parameter has a value (nothing to score). The kit does not
 * store the SpO2 scale the tablet may have switched to: scale 1 unless the caller says otherwise.
 */
export function visitNews2(
  observations: readonly ObservationRecord[],
  scale: 1 | 2 = 1,
): VisitNews2 | undefined {
  const { input, sources } = news2InputOf(observations.map(toWireObservation), scale);
  const result = news2(input);
  if (result.missing.length === result.parameters.length) return undefined;
  const used = Object.values(sources).filter((o) => o !== null);
  const ids = [...new Set(used.map((o) => o.id))];
  const effectiveAt = used
    .map((o) => o.effectiveAt)
    .reduce((a, b) => (Date.parse(a) >= Date.parse(b) ? a : b));
  return { result, scale, sources: ids, effectiveAt };
}

/**
 * NEWS2 as its own Observation (category survey): the total as a `{score}` quantity (with `>=`
 * while a parameter is missing: the total of an incomplete set is a lower bound, and the status
 * is then preliminary), one component per chart parameter with its score or why it is absent, the
 * RCP risk band as interpretation, and `derivedFrom` the readings it was computed from.
 */
export function toNews2Observation(
  visit: { readonly id: string; readonly patientId: string | null },
  n: VisitNews2,
  ctx: MapContext,
): Observation {
  const { result } = n;
  const component: ObservationComponent[] = result.parameters.map((p) =>
    p.missing
      ? {
          code: code(p.parameter, n.scale),
          dataAbsentReason: { coding: [{ system: SYSTEMS.absent, code: 'not-performed' }] },
        }
      : { code: code(p.parameter, n.scale), valueQuantity: score(p.score) },
  );
  return {
    resourceType: 'Observation',
    identifier: [ctx.names.identifier(KIND.news2, visit.id)],
    status: result.complete ? 'final' : 'preliminary',
    category: [{ coding: [{ system: SYSTEMS.category, code: 'survey', display: 'Survey' }] }],
    code: code('total', n.scale),
    ...(visit.patientId === null ? {} : { subject: ctx.names.ref(KIND.patient, visit.patientId) }),
    encounter: ctx.names.ref(KIND.visit, visit.id),
    effectiveDateTime: n.effectiveAt,
    valueQuantity: result.complete ? score(result.total) : { ...score(result.total), comparator: '>=' },
    interpretation: [
      { coding: [{ system: NEWS2_RISK_SYSTEM, code: result.risk }], text: `clinical risk: ${result.risk}` },
    ],
    ...(result.complete
      ? {}
      : {
          note: [
            { text: `incomplete: ${result.missing.join(', ')} not recorded; the total is a lower bound` },
          ],
        }),
    derivedFrom: n.sources.map((id) => ctx.names.ref(KIND.observation, id)),
    component,
  };
}
