import type { ObservationInput } from '../../store/schema/observation.ts';

/** Visits the benchmark records are spread over (200 observations each, as a long house call). */
export const OBS_PER_VISIT = 200;

/**
 * The benchmark's record: an ECG-lead-like observation whose CBOR body is about 1 KiB (most of
 * it the instrument's raw frame, as provenance keeps it), with three indexed fields: visit,
 * patient and effective time.
 */
export function benchObservation(i: number): ObservationInput {
  const raw = new Uint8Array(680);
  for (let j = 0; j < raw.length; j++) raw[j] = (i * 31 + j * 7) & 0xff;
  const visit = Math.floor(i / OBS_PER_VISIT);
  return {
    visitId: `visit-${visit}`,
    patientId: `patient-${visit % 97}`,
    code: { loinc: '8867-4', display: 'Heart rate', mdc: 147842 },
    value: { kind: 'quantity', value: 60 + (i % 40), precision: 0, unit: '/min' },
    components: [],
    status: 'final',
    category: 'vital-signs',
    effectiveAt: new Date(Date.UTC(2025, 0, 1) + i * 250).toISOString(),
    provenance: {
      deviceId: 'bench-device-0001',
      deviceName: 'Bench ECG',
      characteristic: '2a37',
      codec: 'heart-rate',
      codecVersion: '1.0.0',
      raw,
    },
  };
}

/** Blind-index field values of a record (the same three fields every peer indexes). */
export function indexedFields(o: ObservationInput): [string, string, string] {
  return [o.visitId ?? '', o.patientId ?? '', o.effectiveAt.slice(0, 13)];
}
