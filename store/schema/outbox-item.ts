import { z } from 'zod';

/**
 * Clinical priority of an outgoing item; urgent goes first when the signal returns. The link's
 * five levels map in order: urgent consultations and messages, vitals, conclusions and routine
 * requests, waveforms, photos and voice ('bulk', added last so stored keys keep their order).
 */
export const OutboxPriority = z.enum(['urgent', 'high', 'routine', 'low', 'bulk']);
/** See {@link OutboxPriority}. */
export type OutboxPriority = z.infer<typeof OutboxPriority>;

/** What the link layer enqueues: a kind it understands and an opaque payload. */
export const OutboxInput = z.object({
  priority: OutboxPriority,
  kind: z.string().min(1).max(64),
  payload: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
  /** Recipient or reference the link needs to route it (kept encrypted like the rest). */
  destination: z.string().max(200).optional(),
});
/** See {@link OutboxInput}. */
export type OutboxInput = z.input<typeof OutboxInput>;

/** A stored outbox item (schema version 1). */
export const OutboxBody = OutboxInput.extend({
  createdAt: z.string(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
});
/** An outbox item as read back, in send order. */
export type OutboxItem = z.output<typeof OutboxBody> & { id: string };
