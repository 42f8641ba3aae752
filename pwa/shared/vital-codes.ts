/**
 * The LOINC codes of the vitals NEWS2 reads, shared by the kit (manual entries are stored under
 * them) and the tablet (which finds them in a visit). Instrument readings use the same codes
 * (ble-devices/observations/codes.ts).
 */
export const VITAL_CODES = {
  respirationRate: { loinc: '9279-1', display: 'Respiratory rate', unit: '/min' },
  spo2: { loinc: '59408-5', display: 'Oxygen saturation in Arterial blood by Pulse oximetry', unit: '%' },
  spo2Arterial: { loinc: '2708-6', display: 'Oxygen saturation in Arterial blood', unit: '%' },
  /** 0 L/min records room air; more is supplemental oxygen. */
  oxygenFlow: { loinc: '3151-8', display: 'Inhaled oxygen flow rate', unit: 'L/min' },
  bpPanel: { loinc: '85354-9', display: 'Blood pressure panel with all children optional', unit: 'mm[Hg]' },
  systolic: { loinc: '8480-6', display: 'Systolic blood pressure', unit: 'mm[Hg]' },
  pulse: { loinc: '8867-4', display: 'Heart rate', unit: '/min' },
  /**
   * ACVPU. The store's values are quantities for now, so the level is kept as an ordinal
   * (A 0, C 1, V 2, P 3, U 4) with the UCUM annotation unit `{ACVPU}`; FHIR export maps it to
   * the SNOMED CT answers.
   */
  consciousness: { loinc: '67775-7', display: 'Level of responsiveness', unit: '{ACVPU}' },
  temperature: { loinc: '8310-5', display: 'Body temperature', unit: 'Cel' },
} as const;

/** ACVPU levels in ordinal order. */
export const ACVPU_LEVELS = ['A', 'C', 'V', 'P', 'U'] as const;
