import { z } from 'zod';

/**
 * An id the tablet makes for what it sends (a UUID or similar), so a request resent after the
 * Wi-Fi dropped is stored once: the record keeps it and is indexed under it (blind), so the index
 * rebuild finds the claim again.
 */
export const ClientId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'client id: 8-64 of [A-Za-z0-9_-]');
/** See {@link ClientId}. */
export type ClientId = z.infer<typeof ClientId>;
