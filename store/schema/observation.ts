import { z } from 'zod';

/**
 * Why a value is missing, as FHIR `dataAbsentReason` codes (DEVICES.md section 10): IEEE-11073
 * NaN/INF/NRes never become numbers, and readings flagged as demo/test data are masked.
 */
export const DataAbsentReason = z.enum([
  'not-a-number',
  'positive-infinity',
  'negative-infinity',
  'error',
  'masked',
  'unknown',
]);
/** See {@link DataAbsentReason}. */
export type DataAbsentReason = z.infer<typeof DataAbsentReason>;

/**
 * A measured quantity or the reason it is absent. `precision` keeps the device's decimal places
 * (SFLOAT 2.0 vs 2.00 is clinically meaningful and FHIR wants it preserved).
 */
export const ObservationValue = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('quantity'),
    value: z.number().finite(),
    precision: z.number().int().min(0).max(12),
    unit: z.string().min(1).max(32),
  }),
  z.object({ kind: z.literal('absent'), reason: DataAbsentReason }),
]);
/** See {@link ObservationValue}. */
export type ObservationValue = z.infer<typeof ObservationValue>;

/** A coded concept: LOINC is required, the IEEE 11073 MDC code is kept where one is paired. */
export const ObservationCode = z.object({
  loinc: z.string().regex(/^\d{1,7}-\d$/),
  display: z.string().min(1).max(200),
  mdc: z.number().int().nonnegative().optional(),
});
/** See {@link ObservationCode}. */
export type ObservationCode = z.infer<typeof ObservationCode>;

/**
 * Where a reading came from: the instrument's raw bytes and the codec that read them, so a later
 * codec fix can re-derive every stored value. `clockOffsetMs` is kit_now - device_now as measured
 * (the correction already applied to `effectiveAt`); `deviceTime` is the instant the device itself
 * stated for the measurement, kept uncorrected beside the corrected `effectiveAt` so a clock
 * fault stays visible. `serial` and `sequenceNumber` (a meter's RACP record number) identify a
 * stored record across downloads.
 */
export const Provenance = z.object({
  deviceId: z.string().min(1).max(128),
  deviceName: z.string().max(128).optional(),
  characteristic: z.string().min(1).max(64),
  codec: z.string().min(1).max(64),
  codecVersion: z.string().min(1).max(32),
  raw: z.instanceof(Uint8Array).refine((b) => b.byteLength <= 4096, 'raw frame over 4 KiB'),
  clockOffsetMs: z.number().finite().optional(),
  deviceTime: z.string().datetime({ offset: true }).optional(),
  serial: z.string().max(128).optional(),
  sequenceNumber: z.number().int().min(0).max(0xffff).optional(),
});
/** See {@link Provenance}. */
export type Provenance = z.infer<typeof Provenance>;

/**
 * One clinical observation as the store keeps it (schema version 1). A BP reading is one panel
 * observation with systolic/diastolic/mean components, as FHIR models it.
 */
export const ObservationInput = z.object({
  visitId: z.string().max(64).nullable(),
  patientId: z.string().max(64).nullable(),
  code: ObservationCode,
  value: ObservationValue.nullable(),
  components: z
    .array(z.object({ code: ObservationCode, value: ObservationValue }))
    .max(16)
    .default([]),
  status: z.enum(['final', 'preliminary', 'entered-in-error']),
  category: z.enum(['vital-signs', 'laboratory']),
  effectiveAt: z.string().datetime({ offset: true }),
  provenance: Provenance,
});
/** What a caller hands to the store: everything but the id and the recording time. */
export type ObservationInput = z.input<typeof ObservationInput>;

/** An observation as read back: the store assigns an opaque id and the commit time. */
export type ObservationRecord = z.output<typeof ObservationInput> & {
  id: string;
  recordedAt: string;
};
