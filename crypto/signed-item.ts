import { z } from 'zod';
import { ascii, concatBytes } from './bytes.ts';
import { LinkCryptoError } from './link-error.ts';
import { getSodium } from './wasm-sodium.ts';
import { decodeWire, encodeWire } from './wire-cbor.ts';

/** Clinical priority on the link: 1 urgent ... 5 photos and voice (the scheduler's order). */
export const LinkPriority = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]);
/** See {@link LinkPriority}. */
export type LinkPriority = z.infer<typeof LinkPriority>;

const bytes = (length?: number) =>
  z
    .custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')
    .refine((b) => length === undefined || b.byteLength === length, `expected ${length} bytes`);

/** An address on the link: an identity or team id from the directory. */
export const LinkAddress = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, dot, dash, underscore');

/**
 * What a sender signs (CBOR map, short keys). The signature covers the exact bytes, so no
 * canonical encoding is needed: the receiver verifies the bytes, then decodes them.
 */
export const SignedItemFields = z.object({
  v: z.literal(1),
  /** 16 random bytes: the item's identity across re-sends (replays are refused by it). */
  id: bytes(16),
  kind: z.string().min(1).max(32),
  /** The sender's identity id in the directory. */
  from: LinkAddress,
  /** The sender device's Ed25519 public key (must be listed under `from`). */
  key: bytes(32),
  /** The recipient identity or team (must equal the envelope's clear `to`). */
  to: LinkAddress,
  /** Milliseconds since the epoch, as the sender's clock saw it. */
  at: z.number().int().nonnegative(),
  pri: LinkPriority,
  /** The item this one answers or belongs to (hex item id), if any. */
  ref: z.string().max(128).optional(),
  /** Media type of `body` (application/cbor for records; image/jpeg, audio/ogg...). */
  media: z.string().max(100).optional(),
  body: bytes(),
});
/** See {@link SignedItemFields}. */
export type SignedItemFields = z.infer<typeof SignedItemFields>;

/** Signs with a device's Ed25519 key; the secret may stay inside a keyring. */
export interface Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const ITEM_DOMAIN = ascii('fieldkit/item/v1\u0000');

/** The signed bytes and their signature, as carried inside an envelope. */
export interface SignedItem {
  readonly fields: SignedItemFields;
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

/** Encodes and signs an item. The signer's public key must be the item's `key`. */
export async function signItem(fields: SignedItemFields, signer: Signer): Promise<SignedItem> {
  const parsed = SignedItemFields.safeParse(fields);
  if (!parsed.success)
    throw new LinkCryptoError('malformed', `Item to sign is invalid: ${issue(parsed.error)}`);
  const signed = encodeWire(omitUndefined(parsed.data));
  const signature = await signer.sign(concatBytes(ITEM_DOMAIN, signed));
  return { fields: parsed.data, signed, signature };
}

/**
 * Verifies a signed item against the key it names and decodes it. Whether that key belongs to
 * the named sender is the directory's question, asked by the caller.
 */
export async function verifySignedItem(signed: Uint8Array, signature: Uint8Array): Promise<SignedItem> {
  const fields = parseSignedItem(signed);
  if (!(await verifyDetached(signature, concatBytes(ITEM_DOMAIN, signed), fields.key)))
    throw new LinkCryptoError('bad_signature', 'The item signature does not verify.');
  return { fields, signed, signature };
}

/** Decodes signed item bytes WITHOUT checking the signature (to keep and show an unverified item). */
export function parseSignedItem(signed: Uint8Array): SignedItemFields {
  const decoded = decodeWire(signed);
  if (!decoded.ok) throw new LinkCryptoError('malformed', `Signed item is not CBOR: ${decoded.why}.`);
  const parsed = SignedItemFields.safeParse(decoded.value);
  if (!parsed.success)
    throw new LinkCryptoError('malformed', `Signed item has a bad shape: ${issue(parsed.error)}`);
  return parsed.data;
}

/** True when `signature` is the item signature of `signed` by `key`. */
export async function itemSignatureValid(
  signed: Uint8Array,
  signature: Uint8Array,
  key: Uint8Array,
): Promise<boolean> {
  return verifyDetached(signature, concatBytes(ITEM_DOMAIN, signed), key);
}

/** Ed25519 detached verification that answers false (never throws) for any malformed input. */
export async function verifyDetached(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  const s = await getSodium();
  try {
    return (
      signature.byteLength === 64 &&
      publicKey.byteLength === 32 &&
      s.crypto_sign_verify_detached(signature, message, publicKey)
    );
  } catch {
    return false;
  }
}

/** One line naming the first schema problem (path and message). */
export function issue(error: z.ZodError): string {
  const first = error.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}

/** Drops undefined members so optional fields are absent on the wire, not CBOR `undefined`. */
export function omitUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
