import { z } from 'zod';
import { ClientId } from './client-id.ts';

/** An identity document (passport, OMS policy, SNILS): looked up by number through a blind index. */
export const PatientDocument = z.object({
  kind: z.string().min(1).max(32),
  number: z.string().min(1).max(64),
});
/** See {@link PatientDocument}. */
export type PatientDocument = z.infer<typeof PatientDocument>;

/**
 * A patient as the brigade records them (schema version 1). Names are searched by prefix through
 * blind indexes, so they never appear on disk in the clear.
 */
export const PatientInput = z.object({
  familyName: z.string().min(1).max(100),
  givenName: z.string().max(100).default(''),
  middleName: z.string().max(100).optional(),
  birthDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  sex: z.enum(['male', 'female', 'other', 'unknown']).default('unknown'),
  documents: z.array(PatientDocument).max(8).default([]),
  phone: z.string().max(32).optional(),
  address: z.string().max(300).optional(),
  note: z.string().max(2000).optional(),
});
/** What a caller hands to `addPatient`. */
export type PatientInput = z.input<typeof PatientInput>;

/** A stored patient body (what is encrypted). */
export const PatientBody = PatientInput.extend({
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The tablet's id for the request that created it, if one was given (resends match it). */
  clientId: ClientId.optional(),
});
/** A patient as read back, with its opaque id. */
export type PatientRecord = z.output<typeof PatientBody> & { id: string };
