import { z } from 'zod';
import { ascii, concatBytes, equalBytes, readU32, toHex, writeU32 } from './bytes.ts';
import { LinkCryptoError } from './link-error.ts';
import type { Signer, SignedItem, SignedItemFields } from './signed-item.ts';
import { LinkAddress, LinkPriority, issue, signItem, verifySignedItem } from './signed-item.ts';
import { getSodium } from './wasm-sodium.ts';
import { decodeWire, encodeWire } from './wire-cbor.ts';

/**
 * Sealed envelopes: what crosses the hub, which stores and forwards them without being able to
 * read them. Layout (all integers big-endian):
 *
 *     "FKE1" | u32 header length | header (CBOR) | nonce (24) | XChaCha20-Poly1305 ciphertext
 *
 * The header is clear and authenticated (it is the AAD, with the magic and length): recipient
 * address, priority, compression flag and the content key wrapped (crypto_box_seal) once per
 * recipient device X25519 key. The plaintext is CBOR [signed item bytes, Ed25519 signature],
 * deflated when that pays. The envelope id is the SHA-256 of all its bytes. Everything here is
 * libsodium (as libsodium-wrappers-sumo in a browser) plus CBOR: no Node-only primitive.
 */
export const ENVELOPE_MAGIC = ascii('FKE1');
/** Largest envelope accepted or produced (16 MiB of content plus framing). */
export const MAX_ENVELOPE_BYTES = 16 * 1024 * 1024 + 64 * 1024;
/** Largest clear header. */
export const MAX_HEADER_BYTES = 4096;
/** Most recipient devices one envelope is wrapped for. */
export const MAX_WRAPS = 32;
/** Key id of a recipient device: the first 8 bytes of SHA-256 of its X25519 public key. */
export const KID_BYTES = 8;
const NONCE_BYTES = 24;
const TAG_BYTES = 16;
const WRAP_BYTES = 32 + 48;
const PREFIX_BYTES = 8;

const bytes = (length: number) =>
  z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.byteLength === length, `expected ${length} bytes`);

/** The clear, authenticated header. */
export const EnvelopeHeader = z.object({
  v: z.literal(1),
  to: LinkAddress,
  pri: LinkPriority,
  /** 1 when the plaintext is raw-deflated. */
  z: z.union([z.literal(0), z.literal(1)]),
  /**
   * The consultation a reply belongs to (its envelope id, hex), in clear so that the hub can
   * refuse a reply from a specialist who does not hold that consultation. Optional: only a
   * console's replies carry it.
   */
  re: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  wraps: z
    .array(z.tuple([bytes(KID_BYTES), bytes(WRAP_BYTES)]))
    .min(1)
    .max(MAX_WRAPS),
});
/** See {@link EnvelopeHeader}. */
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

/** Deflate/inflate, injected: node:zlib on Node, CompressionStream('deflate-raw') in a browser. */
export interface Compressor {
  deflate(plain: Uint8Array): Promise<Uint8Array>;
  /** Inflates; rejects when the output would pass `maxBytes`. */
  inflate(packed: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

/** One device that can open envelopes: its X25519 public key and an unwrap for sealed keys. */
export interface EnvelopeOpener {
  readonly sealingKey: Uint8Array;
  /** crypto_box_seal_open with the device's secret; null when it does not open. */
  unwrap(sealed: Uint8Array): Promise<Uint8Array | null>;
}

/** A sealed envelope ready to store or send. */
export interface SealedEnvelope {
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex. */
  readonly id: string;
  readonly header: EnvelopeHeader;
}

/** An opened envelope: its header and the verified signed item. */
export interface OpenedEnvelope {
  readonly id: string;
  readonly header: EnvelopeHeader;
  readonly item: SignedItem;
}

/** Key id of an X25519 public key (see {@link KID_BYTES}). */
export async function keyId(sealingKey: Uint8Array): Promise<Uint8Array> {
  return (await getSodium()).crypto_hash_sha256(sealingKey).subarray(0, KID_BYTES);
}

/** SHA-256 hex of bytes (the envelope id), with libsodium (browser-portable). */
export async function envelopeId(envelope: Uint8Array): Promise<string> {
  return toHex((await getSodium()).crypto_hash_sha256(envelope));
}

/** What {@link sealEnvelope} needs. */
export interface SealInput {
  /** The item without `v` and `key` (taken from the signer). */
  readonly item: Omit<SignedItemFields, 'v' | 'key'>;
  readonly signer: Signer;
  /** X25519 public keys of every recipient device (and the team's key, when addressed to a team). */
  readonly recipients: readonly Uint8Array[];
  /** Given, the plaintext is deflated when that makes it smaller (CBOR, waveforms; not JPEG). */
  readonly compressor?: Compressor;
  /** The consultation (envelope id, hex) a reply belongs to: put in the clear header (see `re`). */
  readonly re?: string;
}

/** Signs the item, then seals it under a fresh content key wrapped for every recipient device. */
export async function sealEnvelope(input: SealInput): Promise<SealedEnvelope> {
  const s = await getSodium();
  const signed = await signItem({ ...input.item, v: 1, key: input.signer.publicKey }, input.signer);
  let plain = encodeWire([signed.signed, signed.signature]);
  let compressed: 0 | 1 = 0;
  if (input.compressor) {
    const packed = await input.compressor.deflate(plain);
    if (packed.byteLength < plain.byteLength * 0.95) {
      plain = packed;
      compressed = 1;
    }
  }
  const unique = dedupeKeys(input.recipients);
  if (unique.length === 0 || unique.length > MAX_WRAPS)
    throw new LinkCryptoError(
      'malformed',
      `An envelope needs 1..${MAX_WRAPS} recipient keys, got ${unique.length}.`,
    );
  const contentKey = s.crypto_aead_xchacha20poly1305_ietf_keygen();
  try {
    const wraps: [Uint8Array, Uint8Array][] = [];
    for (const pk of unique) wraps.push([await keyId(pk), s.crypto_box_seal(contentKey, pk)]);
    const header: EnvelopeHeader = {
      v: 1,
      to: signed.fields.to,
      pri: signed.fields.pri,
      z: compressed,
      wraps,
      ...(input.re ? { re: input.re } : {}),
    };
    const headerBytes = encodeWire(header);
    if (headerBytes.byteLength > MAX_HEADER_BYTES)
      throw new LinkCryptoError('too_large', 'Envelope header too large.');
    const prefix = new Uint8Array(PREFIX_BYTES);
    prefix.set(ENVELOPE_MAGIC, 0);
    writeU32(prefix, 4, headerBytes.byteLength);
    const aad = concatBytes(prefix, headerBytes);
    const nonce = s.randombytes_buf(NONCE_BYTES);
    const cipher = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plain, aad, null, nonce, contentKey);
    const envelope = concatBytes(aad, nonce, cipher);
    if (envelope.byteLength > MAX_ENVELOPE_BYTES)
      throw new LinkCryptoError(
        'too_large',
        `Envelope of ${envelope.byteLength} bytes exceeds ${MAX_ENVELOPE_BYTES}.`,
      );
    return { bytes: envelope, id: toHex(s.crypto_hash_sha256(envelope)), header };
  } finally {
    s.memzero(contentKey);
  }
}

function dedupeKeys(keys: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const k of keys) {
    if (k.byteLength !== 32) throw new LinkCryptoError('malformed', 'A recipient key is not 32 bytes.');
    if (!out.some((o) => equalBytes(o, k))) out.push(k);
  }
  return out;
}

/**
 * Reads the clear header without any key (the hub routes by it). Needs only the envelope's
 * first bytes: 8 plus the header length. Typed errors only.
 */
export function readEnvelopeHeader(envelope: Uint8Array): { header: EnvelopeHeader; headerEnd: number } {
  if (envelope.byteLength > MAX_ENVELOPE_BYTES)
    throw new LinkCryptoError(
      'too_large',
      `Envelope of ${envelope.byteLength} bytes exceeds ${MAX_ENVELOPE_BYTES}.`,
    );
  if (envelope.byteLength < PREFIX_BYTES || !equalBytes(envelope.subarray(0, 4), ENVELOPE_MAGIC))
    throw new LinkCryptoError('malformed', 'Not an envelope (bad magic).');
  const length = readU32(envelope, 4);
  if (length > MAX_HEADER_BYTES)
    throw new LinkCryptoError('too_large', `Envelope header of ${length} bytes.`);
  const headerEnd = PREFIX_BYTES + length;
  if (envelope.byteLength < headerEnd)
    throw new LinkCryptoError('malformed', 'Envelope truncated in its header.');
  const decoded = decodeWire(envelope.subarray(PREFIX_BYTES, headerEnd));
  if (!decoded.ok) throw new LinkCryptoError('malformed', `Envelope header is not CBOR: ${decoded.why}.`);
  const raw = decoded.value as { v?: unknown } | null;
  if (raw && typeof raw === 'object' && 'v' in raw && raw.v !== 1)
    throw new LinkCryptoError('unsupported_version', `Envelope header version ${String(raw.v)}.`);
  const parsed = EnvelopeHeader.safeParse(decoded.value);
  if (!parsed.success) throw new LinkCryptoError('malformed', `Envelope header: ${issue(parsed.error)}`);
  return { header: parsed.data, headerEnd };
}

/** What decrypting yields before any signature is checked (a receiver may keep it as unverified). */
export interface DecryptedEnvelope {
  readonly id: string;
  readonly header: EnvelopeHeader;
  readonly signed: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * Decrypts an envelope addressed to one of `openers` and returns the signed item's bytes and
 * signature, unverified. Only for receivers that keep a bad item (shown unverified, with the
 * reason); everyone else calls {@link openEnvelope}.
 */
export async function decryptEnvelope(
  envelope: Uint8Array,
  openers: readonly EnvelopeOpener[],
  compressor?: Compressor,
): Promise<DecryptedEnvelope> {
  const s = await getSodium();
  const { header, headerEnd } = readEnvelopeHeader(envelope);
  if (envelope.byteLength < headerEnd + NONCE_BYTES + TAG_BYTES)
    throw new LinkCryptoError('malformed', 'Envelope truncated after its header.');
  let contentKey: Uint8Array | null = null;
  let addressed = false;
  for (const opener of openers) {
    const kid = await keyId(opener.sealingKey);
    for (const [wrapKid, sealed] of header.wraps) {
      if (!equalBytes(wrapKid, kid)) continue;
      addressed = true;
      contentKey = await opener.unwrap(sealed);
      if (contentKey) break;
    }
    if (contentKey) break;
  }
  if (!contentKey) {
    throw addressed
      ? new LinkCryptoError('decrypt_failed', 'The content key does not open with our device key.')
      : new LinkCryptoError('not_addressed', 'The envelope is not wrapped for any of our devices.');
  }
  let plain: Uint8Array;
  try {
    plain = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      envelope.subarray(headerEnd + NONCE_BYTES),
      envelope.subarray(0, headerEnd),
      envelope.subarray(headerEnd, headerEnd + NONCE_BYTES),
      contentKey,
    );
  } catch {
    throw new LinkCryptoError(
      'decrypt_failed',
      'The envelope ciphertext does not verify (altered or damaged).',
    );
  } finally {
    s.memzero(contentKey);
  }
  if (header.z === 1) {
    if (!compressor) throw new LinkCryptoError('inflate_failed', 'Compressed envelope but no inflater.');
    try {
      plain = await compressor.inflate(plain, MAX_ENVELOPE_BYTES);
    } catch {
      throw new LinkCryptoError(
        'inflate_failed',
        'The envelope content does not inflate within the size limit.',
      );
    }
  }
  const inner = decodeWire(plain);
  if (!inner.ok) throw new LinkCryptoError('malformed', `Envelope content is not CBOR: ${inner.why}.`);
  const pair = inner.value;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !(pair[0] instanceof Uint8Array) ||
    !(pair[1] instanceof Uint8Array)
  )
    throw new LinkCryptoError('malformed', 'Envelope content is not [signed item, signature].');
  return { id: toHex(s.crypto_hash_sha256(envelope)), header, signed: pair[0], signature: pair[1] };
}

/**
 * Opens an envelope addressed to one of `openers`, verifies the sender's signature over the
 * item and that the signed fields match the clear header. Whether the signing key belongs to
 * the named sender is checked by the caller against the pinned directory.
 */
export async function openEnvelope(
  envelope: Uint8Array,
  openers: readonly EnvelopeOpener[],
  compressor?: Compressor,
): Promise<OpenedEnvelope> {
  const d = await decryptEnvelope(envelope, openers, compressor);
  const item = await verifySignedItem(d.signed, d.signature);
  if (item.fields.to !== d.header.to || item.fields.pri !== d.header.pri)
    throw new LinkCryptoError(
      'header_mismatch',
      'The signed item disagrees with the envelope header (to/priority).',
    );
  return { id: d.id, header: d.header, item };
}
