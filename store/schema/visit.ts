import { z } from 'zod';
import { ClientId } from './client-id.ts';

/** A visit (house call or consultation session) that observations and attachments belong to. */
export const VisitInput = z.object({
  patientId: z.string().max(64).nullable(),
  reason: z.string().max(500).optional(),
  place: z.string().max(300).optional(),
  openedAt: z.string().datetime({ offset: true }).optional(),
});
/** What a caller hands to `openVisit`. */
export type VisitInput = z.input<typeof VisitInput>;

/** A stored visit body (schema version 1). */
export const VisitBody = z.object({
  patientId: z.string().max(64).nullable(),
  reason: z.string().max(500).optional(),
  place: z.string().max(300).optional(),
  openedAt: z.string(),
  closedAt: z.string().optional(),
  status: z.enum(['open', 'closed']),
  /** The tablet's id for the request that opened it, if one was given (resends match it). */
  clientId: ClientId.optional(),
});
/** A visit as read back. */
export type VisitRecord = z.output<typeof VisitBody> & { id: string };
