import type { ObservationCode, ObservationValue } from '../../../../store/index.ts';
import type { CodeableConcept, Quantity } from '../../fhir-types.ts';
import { decimal, fhirText } from '../fhir-json.ts';

/** Code systems the observation mappers write. */
export const SYSTEMS = {
  loinc: 'http://loinc.org',
  mdc: 'urn:iso:std:iso:11073:10101',
  ucum: 'http://unitsofmeasure.org',
  category: 'http://terminology.hl7.org/CodeSystem/observation-category',
  absent: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
  snomed: 'http://snomed.info/sct',
} as const;

/** LOINC first (required for vital signs), the paired IEEE 11073 MDC code second (DEVICES.md 10). */
export function observationCode(code: ObservationCode): CodeableConcept {
  const display = fhirText(code.display);
  return {
    coding: [
      { system: SYSTEMS.loinc, code: code.loinc, display },
      ...(code.mdc === undefined ? [] : [{ system: SYSTEMS.mdc, code: String(code.mdc) }]),
    ],
    text: display,
  };
}

/** A UCUM quantity keeping the instrument's decimal places. */
export function ucumQuantity(value: number, precision: number, unit: string): Quantity {
  return { value: decimal(value, precision), unit, system: SYSTEMS.ucum, code: unit };
}

/** `valueQuantity`, or `dataAbsentReason` for NaN, ±INF, NRes and masked values. */
export function valueOf(
  v: ObservationValue,
): { valueQuantity: Quantity } | { dataAbsentReason: CodeableConcept } {
  if (v.kind === 'quantity') return { valueQuantity: ucumQuantity(v.value, v.precision, v.unit) };
  return { dataAbsentReason: { coding: [{ system: SYSTEMS.absent, code: v.reason }] } };
}

/** The observation category (vital-signs or laboratory). */
export function categoryOf(category: string): CodeableConcept {
  const display = category === 'vital-signs' ? 'Vital Signs' : 'Laboratory';
  return { coding: [{ system: SYSTEMS.category, code: category, display }] };
}
