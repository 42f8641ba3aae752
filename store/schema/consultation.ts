import { z } from 'zod';
import { ClientId } from './visit-entry.ts';

/** Urgent goes first on the link; routine waits its turn. */
export const ConsultationUrgency = z.enum(['urgent', 'routine']);
/** See {@link ConsultationUrgency}. */
export type ConsultationUrgency = z.infer<typeof ConsultationUrgency>;

const Ref = z.string().min(1).max(64);

/**
 * A consultation request written on the tablet: the question for a remote specialist, the
 * specialty asked for, its urgency and which readings and attachments go with it.
 */
export const ConsultationInput = z.object({
  visitId: Ref,
  patientId: Ref.nullable(),
  clientId: ClientId,
  author: z.string().min(1).max(128),
  enteredAt: z.string().datetime({ offset: true }),
  question: z.string().min(1).max(5000),
  specialty: z.string().min(1).max(64),
  urgency: ConsultationUrgency,
  observationIds: z.array(Ref).max(200).default([]),
  attachmentIds: z.array(Ref).max(50).default([]),
  /** The NEWS2 total the tablet showed when the request was written, if any. */
  news2Total: z.number().int().min(0).max(20).nullable().default(null),
});
/** See {@link ConsultationInput}. */
export type ConsultationInput = z.input<typeof ConsultationInput>;

/** A stored consultation request (schema version 1): with the outbox item that carries it. */
export const ConsultationBody = ConsultationInput.extend({
  outboxId: z.string().min(1).max(64),
  createdAt: z.string(),
});
/** A consultation request as read back. */
export type ConsultationRecord = z.output<typeof ConsultationBody> & { id: string };
