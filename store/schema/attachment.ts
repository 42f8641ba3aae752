import { z } from 'zod';
import { ClientId } from './client-id.ts';

/** What a blob is, so the tablet knows how to show it and the store whether to compress it. */
export const AttachmentKind = z.enum(['ecg', 'waveform', 'photo', 'voice', 'document', 'other']);
/** See {@link AttachmentKind}. */
export type AttachmentKind = z.infer<typeof AttachmentKind>;

/** Metadata a caller gives with a blob. */
export const AttachmentInput = z.object({
  kind: AttachmentKind,
  mediaType: z.string().min(1).max(100),
  visitId: z.string().max(64).nullable().default(null),
  patientId: z.string().max(64).nullable().default(null),
  note: z.string().max(2000).optional(),
});
/** See {@link AttachmentInput}. */
export type AttachmentInput = z.input<typeof AttachmentInput>;

/**
 * A stored attachment record: written only after every chunk committed, so its presence means
 * the blob is complete; `chunkCount` and `digest` let a reader prove it still is.
 */
export const AttachmentBody = AttachmentInput.extend({
  size: z.number().int().nonnegative(),
  storedBytes: z.number().int().nonnegative(),
  chunkCount: z.number().int().nonnegative(),
  compression: z.enum(['none', 'deflate']),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  /** The tablet's id for the upload, if one was given (resends match it). */
  clientId: ClientId.optional(),
});
/** An attachment as read back. */
export type AttachmentRecord = z.output<typeof AttachmentBody> & { id: string };
