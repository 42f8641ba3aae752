import { z } from 'zod';

/**
 * A record of the link layer (outbox progress and delivery states, received blocks and objects,
 * the hub's mailbox). The link validates its own shapes; the store only requires a CBOR map and
 * seals it like every other record.
 */
export const LinkRecordBody = z.record(z.string(), z.unknown());
/** See {@link LinkRecordBody}. */
export type LinkRecordBody = z.infer<typeof LinkRecordBody>;
