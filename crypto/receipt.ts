import { z } from 'zod';
import { ascii, concatBytes, equalBytes, readU32, toHex, writeU32 } from './bytes.ts';
import { LinkCryptoError } from './link-error.ts';
import type { Signer } from './signed-item.ts';
import { LinkAddress, verifyDetached, LinkPriority, issue, omitUndefined } from './signed-item.ts';
import { getSodium } from './wasm-sodium.ts';
import { decodeWire, encodeWire } from './wire-cbor.ts';

/**
 * Delivery receipts: a recipient device's signed statement that an envelope was delivered to
 * it, read, or answered. Signed but not sealed (they say nothing clinical), so the hub can check
 * them against the device it enrolled and route them; the kit checks them against the pinned
 * directory, so a hub cannot invent a "read". Layout:
 *
 *     "FKR1" | u32 length | signed fields (CBOR) | Ed25519 signature (64)
 */
export const RECEIPT_MAGIC = ascii('FKR1');
/** Largest receipt accepted. */
export const MAX_RECEIPT_BYTES = 1024;
const DOMAIN = ascii('fieldkit/receipt/v1\u0000');

/** What a receipt can say, in the order a consultation lives through them. */
export const ReceiptState = z.enum(['delivered', 'read', 'answered']);
/** See {@link ReceiptState}. */
export type ReceiptState = z.infer<typeof ReceiptState>;

const bytes = (length: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength === length, `expected ${length} bytes`);

/** The signed fields. */
export const ReceiptFields = z.object({
  v: z.literal(1),
  /** The envelope this receipt is about (raw SHA-256). */
  env: bytes(32),
  state: ReceiptState,
  at: z.number().int().nonnegative(),
  /** The signing identity and device key. */
  from: LinkAddress,
  key: bytes(32),
  /** Who gets the receipt: the envelope's sender. */
  to: LinkAddress,
  pri: LinkPriority,
});
/** See {@link ReceiptFields}. */
export type ReceiptFields = z.infer<typeof ReceiptFields>;

/** A receipt's bytes, id (SHA-256 hex) and verified fields. */
export interface Receipt {
  readonly bytes: Uint8Array;
  readonly id: string;
  readonly fields: ReceiptFields;
}

/** Signs a receipt with the recipient device's key. */
export async function signReceipt(
  fields: Omit<ReceiptFields, 'v' | 'key'>,
  signer: Signer,
): Promise<Receipt> {
  const parsed = ReceiptFields.safeParse({ ...fields, v: 1, key: signer.publicKey });
  if (!parsed.success) throw new LinkCryptoError('malformed', `Receipt is invalid: ${issue(parsed.error)}`);
  const signed = encodeWire(omitUndefined(parsed.data));
  const signature = await signer.sign(concatBytes(DOMAIN, signed));
  const prefix = new Uint8Array(8);
  prefix.set(RECEIPT_MAGIC, 0);
  writeU32(prefix, 4, signed.byteLength);
  const out = concatBytes(prefix, signed, signature);
  return { bytes: out, id: toHex((await getSodium()).crypto_hash_sha256(out)), fields: parsed.data };
}

/** True when the bytes start like a receipt (cheap dispatch between receipts and envelopes). */
export function looksLikeReceipt(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && equalBytes(bytes.subarray(0, 4), RECEIPT_MAGIC);
}

/** Parses and verifies a receipt's signature against the key it names. Typed errors only. */
export async function verifyReceipt(bytes: Uint8Array): Promise<Receipt> {
  if (bytes.byteLength > MAX_RECEIPT_BYTES)
    throw new LinkCryptoError('too_large', `Receipt of ${bytes.byteLength} bytes.`);
  if (bytes.byteLength < 8 + 64 || !looksLikeReceipt(bytes))
    throw new LinkCryptoError('malformed', 'Not a receipt.');
  const length = readU32(bytes, 4);
  if (8 + length + 64 !== bytes.byteLength)
    throw new LinkCryptoError('malformed', 'Receipt length does not match.');
  const signed = bytes.subarray(8, 8 + length);
  const signature = bytes.subarray(8 + length);
  const decoded = decodeWire(signed);
  if (!decoded.ok) throw new LinkCryptoError('malformed', `Receipt is not CBOR: ${decoded.why}.`);
  const parsed = ReceiptFields.safeParse(decoded.value);
  if (!parsed.success)
    throw new LinkCryptoError('malformed', `Receipt has a bad shape: ${issue(parsed.error)}`);
  const s = await getSodium();
  const ok = await verifyDetached(signature, concatBytes(DOMAIN, signed), parsed.data.key);
  if (!ok) throw new LinkCryptoError('bad_signature', 'The receipt signature does not verify.');
  return { bytes, id: toHex(s.crypto_hash_sha256(bytes)), fields: parsed.data };
}
