import { z } from 'zod';

/** What a paired tablet may do; the LAN server checks it on every route. */
export const TabletRole = z.enum(['feldsher', 'doctor', 'coordinator']);
/** See {@link TabletRole}. */
export type TabletRole = z.infer<typeof TabletRole>;

const Hash = z.string().regex(/^[0-9a-f]{64}$/);

/** What a caller gives to create a one-time pairing code. */
export const PairingCodeInput = z.object({
  role: TabletRole,
  /** A label shown in `fieldkit tablets list` until the tablet names itself (e.g. "планшет 2"). */
  label: z.string().trim().min(1).max(64).optional(),
  /** How long the code may be redeemed (default 10 minutes, at most a day). */
  ttlMs: z
    .number()
    .int()
    .min(1000)
    .max(24 * 3600_000)
    .default(10 * 60_000),
  /** Who asked for the code (the CLI, a coordinator tablet's id): kept for the audit. */
  createdBy: z.string().min(1).max(128),
});
/** See {@link PairingCodeInput}. */
export type PairingCodeInput = z.input<typeof PairingCodeInput>;

/**
 * A tablet (schema version 1): first a pending pairing code, then, once the code is redeemed, a
 * device with a role and a bearer token. Only hashes of the code and the token are kept (and the
 * whole body is sealed like every record); the plaintext is handed out once.
 */
export const TabletBody = z.object({
  name: z.string().min(1).max(64),
  role: TabletRole,
  status: z.enum(['pending', 'active', 'revoked']),
  /** BLAKE2b-256 of the pairing code, until it is redeemed. */
  codeHash: Hash.optional(),
  codeExpiresAt: z.string().optional(),
  /** BLAKE2b-256 of the bearer token, once paired. */
  tokenHash: Hash.optional(),
  createdBy: z.string().min(1).max(128),
  createdAt: z.string(),
  pairedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
/** A tablet as read back (never with its hashes: callers have no use for them). */
export type TabletRecord = Omit<z.output<typeof TabletBody>, 'codeHash' | 'tokenHash'> & { id: string };
