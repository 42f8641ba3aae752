/**
 * NEWS2 (National Early Warning Score 2, Royal College of Physicians, 2017) as a pure function,
 * shared by the tablet app and the kit. It scores the seven parameters of the RCP chart, including
 * SpO2 scale 2 for patients with a prescribed 88-92 % target (hypercapnic respiratory failure).
 *
 * A missing parameter is reported as missing, never scored 0: the total of an incomplete set is a
 * lower bound ("at least N"), which is still safe for escalation (at least 5 is 5 or more).
 */

/** ACVPU: Alert, new Confusion, responds to Voice, responds to Pain, Unresponsive. */
export type Acvpu = 'A' | 'C' | 'V' | 'P' | 'U';

/** The vitals NEWS2 reads; `null` where the visit has no value yet. */
export interface News2Input {
  /** Breaths per minute. */
  readonly respirationRate: number | null;
  /** Per cent. */
  readonly spo2: number | null;
  /** Scale 2 only when a clinician prescribed the 88-92 % target; scale 1 otherwise. */
  readonly spo2Scale: 1 | 2;
  /** true on supplemental oxygen, false on room air. */
  readonly onOxygen: boolean | null;
  /** Systolic blood pressure, mmHg. */
  readonly systolic: number | null;
  /** Pulse, beats per minute. */
  readonly pulse: number | null;
  readonly consciousness: Acvpu | null;
  /** Body temperature, °C. */
  readonly temperature: number | null;
}

/** The parameters in chart order. */
export const NEWS2_PARAMETERS = [
  'respirationRate',
  'spo2',
  'oxygen',
  'systolic',
  'pulse',
  'consciousness',
  'temperature',
] as const;

/** One NEWS2 parameter. */
export type News2Parameter = (typeof NEWS2_PARAMETERS)[number];

/** Which way a value is off normal: shown as an arrow beside the score, never colour alone. */
export type Deviation = 'low' | 'normal' | 'high';

/** One parameter's part of the score. */
export type ParameterScore =
  | { readonly parameter: News2Parameter; readonly missing: true }
  | {
      readonly parameter: News2Parameter;
      readonly missing: false;
      readonly score: 0 | 1 | 2 | 3;
      readonly deviation: Deviation;
    };

/** RCP clinical risk bands: low (0-4), low-medium (a 3 in one parameter), medium (5-6), high (7+). */
export type ClinicalRisk = 'low' | 'low-medium' | 'medium' | 'high';

/** The whole result. */
export interface News2Result {
  readonly parameters: readonly ParameterScore[];
  /** Sum of the scored parameters (a lower bound while `complete` is false). */
  readonly total: number;
  readonly complete: boolean;
  readonly missing: readonly News2Parameter[];
  /** Some parameter scored 3 ("red score"). */
  readonly singleThree: boolean;
  readonly risk: ClinicalRisk;
  /** Total of 5 or more, or any single 3: propose "urgent" for the consultation. */
  readonly proposeUrgent: boolean;
  /** Total of 7 or more: show the emergency banner. */
  readonly emergency: boolean;
}

type Band = readonly [upTo: number, score: 0 | 1 | 2 | 3, deviation: Deviation];

/** Picks the first band whose upper bound (inclusive) holds the value; the last band is open. */
function band(value: number, bands: readonly Band[]): { score: 0 | 1 | 2 | 3; deviation: Deviation } {
  for (const [upTo, score, deviation] of bands) if (value <= upTo) return { score, deviation };
  const last = bands[bands.length - 1]!;
  return { score: last[1], deviation: last[2] };
}

const INF = Number.POSITIVE_INFINITY;
/** The chart records whole breaths, beats, mmHg and per cent; temperature to one decimal. */
const whole = (v: number): number => Math.round(v);
const tenth = (v: number): number => Math.round(v * 10) / 10;

const RESPIRATION: readonly Band[] = [
  [8, 3, 'low'],
  [11, 1, 'low'],
  [20, 0, 'normal'],
  [24, 2, 'high'],
  [INF, 3, 'high'],
];
const SPO2_SCALE1: readonly Band[] = [
  [91, 3, 'low'],
  [93, 2, 'low'],
  [95, 1, 'low'],
  [INF, 0, 'normal'],
];
const SPO2_SCALE2_LOW: readonly Band[] = [
  [83, 3, 'low'],
  [85, 2, 'low'],
  [87, 1, 'low'],
  [92, 0, 'normal'],
];
/** Scale 2 above 92 %: scored only on oxygen (over-oxygenation); on air it is 0. */
const SPO2_SCALE2_ON_OXYGEN: readonly Band[] = [
  [94, 1, 'high'],
  [96, 2, 'high'],
  [INF, 3, 'high'],
];
const SYSTOLIC: readonly Band[] = [
  [90, 3, 'low'],
  [100, 2, 'low'],
  [110, 1, 'low'],
  [219, 0, 'normal'],
  [INF, 3, 'high'],
];
const PULSE: readonly Band[] = [
  [40, 3, 'low'],
  [50, 1, 'low'],
  [90, 0, 'normal'],
  [110, 1, 'high'],
  [130, 2, 'high'],
  [INF, 3, 'high'],
];
const TEMPERATURE: readonly Band[] = [
  [35.0, 3, 'low'],
  [36.0, 1, 'low'],
  [38.0, 0, 'normal'],
  [39.0, 1, 'high'],
  [INF, 2, 'high'],
];

function spo2Score(input: News2Input): ParameterScore {
  const parameter = 'spo2';
  if (input.spo2 === null) return { parameter, missing: true };
  const v = whole(input.spo2);
  if (input.spo2Scale === 1) return { parameter, missing: false, ...band(v, SPO2_SCALE1) };
  if (v <= 92) return { parameter, missing: false, ...band(v, SPO2_SCALE2_LOW) };
  // Scale 2 at 93 % or more depends on oxygen; without knowing it the score is unknown.
  if (input.onOxygen === null) return { parameter, missing: true };
  if (!input.onOxygen) return { parameter, missing: false, score: 0, deviation: 'normal' };
  return { parameter, missing: false, ...band(v, SPO2_SCALE2_ON_OXYGEN) };
}

function scored(
  parameter: News2Parameter,
  value: number | null,
  bands: readonly Band[],
  round: (v: number) => number,
): ParameterScore {
  if (value === null || !Number.isFinite(value)) return { parameter, missing: true };
  return { parameter, missing: false, ...band(round(value), bands) };
}

function riskOf(total: number, singleThree: boolean): ClinicalRisk {
  if (total >= 7) return 'high';
  if (total >= 5) return 'medium';
  if (singleThree) return 'low-medium';
  return 'low';
}

/** Scores a set of vitals on the RCP NEWS2 chart. */
export function news2(input: News2Input): News2Result {
  const parameters: ParameterScore[] = [
    scored('respirationRate', input.respirationRate, RESPIRATION, whole),
    spo2Score(input),
    input.onOxygen === null
      ? { parameter: 'oxygen', missing: true }
      : input.onOxygen
        ? { parameter: 'oxygen', missing: false, score: 2, deviation: 'high' }
        : { parameter: 'oxygen', missing: false, score: 0, deviation: 'normal' },
    scored('systolic', input.systolic, SYSTOLIC, whole),
    scored('pulse', input.pulse, PULSE, whole),
    input.consciousness === null
      ? { parameter: 'consciousness', missing: true }
      : input.consciousness === 'A'
        ? { parameter: 'consciousness', missing: false, score: 0, deviation: 'normal' }
        : { parameter: 'consciousness', missing: false, score: 3, deviation: 'low' },
    scored('temperature', input.temperature, TEMPERATURE, tenth),
  ];
  let total = 0;
  let singleThree = false;
  const missing: News2Parameter[] = [];
  for (const p of parameters) {
    if (p.missing) missing.push(p.parameter);
    else {
      total += p.score;
      if (p.score === 3) singleThree = true;
    }
  }
  return {
    parameters,
    total,
    complete: missing.length === 0,
    missing,
    singleThree,
    risk: riskOf(total, singleThree),
    proposeUrgent: total >= 5 || singleThree,
    emergency: total >= 7,
  };
}
