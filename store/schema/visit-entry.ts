import { z } from 'zod';
import { ClientId } from './client-id.ts';

export { ClientId } from './client-id.ts';

/**
 * What happened in a visit, as its journal records it: free text (complaints, notes), a live
 * reading kept in the visit, a manual entry (its observation is written in the same commit), an
 * attachment, a consultation request.
 */
export const VisitEntryKind = z.enum(['complaints', 'note', 'keep', 'manual', 'attachment', 'consultation']);
/** See {@link VisitEntryKind}. */
export type VisitEntryKind = z.infer<typeof VisitEntryKind>;

/** Largest free text of one journal entry (complaints, a note). */
export const MAX_ENTRY_TEXT = 10_000;

const RecordRef = z.string().min(1).max(64);

/** A journal entry as a caller gives it. */
export const VisitEntryInput = z.object({
  visitId: RecordRef,
  clientId: ClientId,
  /** Who entered it: the tablet's device name (and role) as the LAN server knows it. */
  author: z.string().min(1).max(128),
  /** When it was entered on the tablet (offline entries arrive later than they were made). */
  enteredAt: z.string().datetime({ offset: true }),
  kind: VisitEntryKind,
  text: z.string().max(MAX_ENTRY_TEXT).optional(),
  observationId: RecordRef.optional(),
  attachmentId: RecordRef.optional(),
  consultationId: RecordRef.optional(),
});
/** See {@link VisitEntryInput}. */
export type VisitEntryInput = z.input<typeof VisitEntryInput>;

/** A stored journal entry (schema version 1): the input plus the commit time. */
export const VisitEntryBody = VisitEntryInput.extend({ recordedAt: z.string() });
/** A journal entry as read back. */
export type VisitEntryRecord = z.output<typeof VisitEntryBody> & { id: string };
