import { CONTROL_SOLUTION_TYPE } from '../codecs/glucose-tables.ts';
import type { DraftCode } from './observation-draft.ts';

/**
 * MDC concentration codes by the glucose Type nibble (DEVICES.md section 10). Type 7
 * (undetermined whole blood) has no code in the digest, so it gets LOINC only.
 */
const MDC_BY_TYPE: Readonly<Record<number, number>> = {
  1: 160184,
  2: 160188,
  3: 160192,
  4: 160196,
  5: 160200,
  6: 160204,
  8: 160368,
  9: 160212,
  [CONTROL_SOLUTION_TYPE]: 160208,
};

/** Capillary samples are what a glucometer measures; they get the glucometer LOINC codes. */
const CAPILLARY = new Set([1, 2]);

/**
 * The LOINC + MDC coding of one glucose reading: mass (mg/dL) or molar (mmol/L) concentration,
 * glucometer-specific LOINC for capillary samples [likely], MDC picked by sample type.
 */
export function glucoseCode(type: number, molar: boolean): DraftCode {
  const capillary = CAPILLARY.has(type);
  const loinc = molar ? (capillary ? '14743-9' : '15074-8') : capillary ? '41653-7' : '2339-0';
  const display = `Glucose [${molar ? 'Moles' : 'Mass'}/volume] in ${capillary ? 'Capillary blood by Glucometer' : 'Blood'}`;
  const mdc = MDC_BY_TYPE[type];
  return mdc === undefined ? { loinc, display } : { loinc, display, mdc };
}
