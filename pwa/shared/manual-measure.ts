import { ACVPU_LEVELS, VITAL_CODES } from './vital-codes.ts';

/** A vital typed on the tablet (the NEWS2 parameters no instrument measures, and temperature). */
export type ManualMeasure =
  | { readonly type: 'respiration-rate'; readonly value: number }
  | { readonly type: 'consciousness'; readonly value: (typeof ACVPU_LEVELS)[number] }
  | { readonly type: 'oxygen'; readonly onOxygen: boolean; readonly flowLpm?: number }
  | { readonly type: 'temperature'; readonly value: number };

/** How a manual entry is coded: the same on the kit (stored) and the tablet (shown before it is). */
export interface CodedQuantity {
  readonly loinc: string;
  readonly display: string;
  readonly value: number;
  readonly precision: number;
  readonly unit: string;
}

/** Codes a manual entry (room air is 0 L/min of oxygen; ACVPU is kept as its ordinal). */
export function codeManualMeasure(m: ManualMeasure): CodedQuantity {
  switch (m.type) {
    case 'respiration-rate':
      return { ...VITAL_CODES.respirationRate, value: m.value, precision: 0 };
    case 'consciousness':
      return { ...VITAL_CODES.consciousness, value: ACVPU_LEVELS.indexOf(m.value), precision: 0 };
    case 'oxygen': {
      const flow = m.onOxygen ? (m.flowLpm ?? 0) : 0;
      return { ...VITAL_CODES.oxygenFlow, value: flow, precision: Number.isInteger(flow) ? 0 : 1 };
    }
    case 'temperature':
      return { ...VITAL_CODES.temperature, value: Math.round(m.value * 10) / 10, precision: 1 };
  }
}
