import { z } from 'zod';

/** Which link of the kit's certificate chain a credential is. */
export const CredentialKind = z.enum(['root', 'intermediate', 'leaf']);
/** See {@link CredentialKind}. */
export type CredentialKind = z.infer<typeof CredentialKind>;

const Bytes = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array && v.byteLength > 0 && v.byteLength <= 16_384,
  'expected 1..16384 bytes',
);

/**
 * One certificate of the kit's local CA with its private key (schema version 1). The key is
 * PKCS#8 DER and never leaves the store in the clear: the record is sealed under the data key
 * like every other, so the CA key is on disk only encrypted.
 */
export const KitCredentialBody = z.object({
  kind: CredentialKind,
  certificateDer: Bytes,
  privateKeyPkcs8: Bytes,
  notBefore: z.string(),
  notAfter: z.string(),
  /** DNS names and IP addresses this certificate covers (SAN) or may issue for (name constraints). */
  dnsNames: z.array(z.string().max(253)).max(64),
  ipAddresses: z.array(z.string().max(64)).max(64),
  createdAt: z.string(),
});
/** What a caller gives to save a credential (the store adds `createdAt`). */
export type KitCredentialInput = Omit<z.input<typeof KitCredentialBody>, 'createdAt'>;
/** A credential as read back. */
export type KitCredentialRecord = z.output<typeof KitCredentialBody> & { id: string };
