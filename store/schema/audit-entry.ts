import { z } from 'zod';

/** What happened to records; reads are audited as well as changes (personal-data law). */
export const AuditAction = z.enum([
  'create',
  'read',
  'update',
  'delete',
  'ack',
  'backup',
  'restore',
  'rotate',
  'rekey',
]);
/** See {@link AuditAction}. */
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * One link of the audit chain. `prev` is the BLAKE2b-256 of the previous entry's encoded body,
 * so deleting, reordering or editing an entry breaks the chain at that point.
 */
export const AuditBody = z.object({
  seq: z.number().int().nonnegative(),
  at: z.string(),
  actor: z.string(),
  action: AuditAction,
  table: z.string(),
  recordIds: z.array(z.string()),
  prev: z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength === 32, 'expected 32 bytes'),
});
/** See {@link AuditBody}. */
export type AuditBody = z.infer<typeof AuditBody>;
