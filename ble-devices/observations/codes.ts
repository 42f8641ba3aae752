import type { DraftCode } from './observation-draft.ts';

/**
 * The LOINC/MDC pairs of DEVICES.md section 10, in one table so every mapper and the FHIR
 * export use the same codes.
 */
export const CODES = {
  spo2: { loinc: '2708-6', display: 'Oxygen saturation in Arterial blood', mdc: 150456 },
  pulseOximetry: {
    loinc: '59408-5',
    display: 'Oxygen saturation in Arterial blood by Pulse oximetry',
    mdc: 150456,
  },
  heartRateOximeter: { loinc: '8867-4', display: 'Heart rate', mdc: 149530 },
  heartRateStrap: { loinc: '8867-4', display: 'Heart rate', mdc: 147842 },
  heartRateCuff: { loinc: '8867-4', display: 'Heart rate', mdc: 149546 },
  bpPanel: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', mdc: 150020 },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure', mdc: 150021 },
  diastolic: { loinc: '8462-4', display: 'Diastolic blood pressure', mdc: 150022 },
  meanArterial: { loinc: '8478-0', display: 'Mean blood pressure', mdc: 150023 },
  bodyTemperature: { loinc: '8310-5', display: 'Body temperature', mdc: 150364 },
  bodyWeight: { loinc: '29463-7', display: 'Body weight', mdc: 188736 },
  bodyHeight: { loinc: '8302-2', display: 'Body height', mdc: 188740 },
  bmi: { loinc: '39156-5', display: 'Body mass index (BMI) [Ratio]', mdc: 188752 },
  hba1c: { loinc: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood', mdc: 160220 },
  // Not in DEVICES.md section 10: LOINC 41982-0 is the usual body-fat code; no MDC paired until verified.
  bodyFat: { loinc: '41982-0', display: 'Percentage of body fat Measured' },
} as const satisfies Record<string, DraftCode>;
