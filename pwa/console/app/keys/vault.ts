import { z } from 'zod';
import { concatBytes, fromBase64Url, toBase64Url } from '../../../../crypto/bytes.ts';
import type { Signer } from '../../../../crypto/signed-item.ts';
import type { EnvelopeOpener } from '../../../../crypto/envelope.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import { decodeWire, encodeWire } from '../../../../crypto/wire-cbor.ts';

/** The device's key pairs, in memory only while the console is unlocked. */
export interface DeviceKeys {
  readonly signPublic: Uint8Array;
  readonly signSecret: Uint8Array;
  readonly boxPublic: Uint8Array;
  readonly boxSecret: Uint8Array;
}

/** Argon2id cost of the passphrase (libsodium's "interactive": 2 passes, 64 MiB). */
export interface VaultKdf {
  readonly ops: number;
  readonly memBytes: number;
}

/** The interactive cost: about half a second in a browser's WebAssembly, 64 MiB. */
export const INTERACTIVE_KDF: VaultKdf = { ops: 2, memBytes: 64 * 1024 * 1024 };

const b64 = z.string().max(200);

/**
 * What IndexedDB keeps: the public keys in the clear (to enrol and be listed), the secrets sealed
 * with XChaCha20-Poly1305 under a key Argon2id derives from the passphrase. The AAD binds the
 * identity and public keys, so a record spliced from another device does not open.
 */
export const SealedVault = z.object({
  v: z.literal(1),
  identity: z.string().min(1).max(64),
  /** The organisation key pinned at enrolment (base64url), when the hub served a directory. */
  org: b64.nullable(),
  /**
   * The organisation check of the enrolment code, kept when the hub served no directory at
   * enrolment: the first directory's key must match it before it is pinned.
   */
  orgCheck: z
    .string()
    .regex(/^[2-9A-Z]{16}$/)
    .optional(),
  label: z.string().max(100),
  signPublic: b64,
  boxPublic: b64,
  salt: b64,
  nonce: b64,
  cipher: z.string().max(1000),
  ops: z.number().int().min(1).max(10),
  memBytes: z
    .number()
    .int()
    .min(8 * 1024)
    .max(1024 * 1024 * 1024),
});
/** See {@link SealedVault}. */
export type SealedVault = z.infer<typeof SealedVault>;

/** Why a vault does not open. */
export class VaultError extends Error {
  constructor(
    readonly code: 'wrong_passphrase' | 'damaged',
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}

/** New Ed25519 (signing) and X25519 (sealing) key pairs from the browser's randomness. */
export async function newDeviceKeys(): Promise<DeviceKeys> {
  const s = await getSodium();
  const sign = s.crypto_sign_keypair();
  const box = s.crypto_box_keypair();
  return {
    signPublic: sign.publicKey,
    signSecret: sign.privateKey,
    boxPublic: box.publicKey,
    boxSecret: box.privateKey,
  };
}

function aad(identity: string, signPublic: Uint8Array, boxPublic: Uint8Array): Uint8Array {
  return concatBytes(
    new TextEncoder().encode(`fieldkit/console-vault/v1\u0000${identity}\u0000`),
    signPublic,
    boxPublic,
  );
}

async function kek(passphrase: string, salt: Uint8Array, kdf: VaultKdf): Promise<Uint8Array> {
  const s = await getSodium();
  return s.crypto_pwhash(32, passphrase, salt, kdf.ops, kdf.memBytes, s.crypto_pwhash_ALG_ARGON2ID13);
}

/** Seals the device's secrets under the passphrase (Argon2id), for IndexedDB. */
export async function sealVault(
  keys: DeviceKeys,
  passphrase: string,
  meta: { identity: string; org: string | null; orgCheck?: string; label: string },
  kdf: VaultKdf = INTERACTIVE_KDF,
): Promise<SealedVault> {
  const s = await getSodium();
  const salt = s.randombytes_buf(s.crypto_pwhash_SALTBYTES);
  const nonce = s.randombytes_buf(s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const key = await kek(passphrase, salt, kdf);
  try {
    const plain = encodeWire([keys.signSecret, keys.boxSecret]);
    const cipher = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
      plain,
      aad(meta.identity, keys.signPublic, keys.boxPublic),
      null,
      nonce,
      key,
    );
    s.memzero(plain);
    return {
      v: 1,
      ...meta,
      signPublic: toBase64Url(keys.signPublic),
      boxPublic: toBase64Url(keys.boxPublic),
      salt: toBase64Url(salt),
      nonce: toBase64Url(nonce),
      cipher: toBase64Url(cipher),
      ops: kdf.ops,
      memBytes: kdf.memBytes,
    };
  } finally {
    s.memzero(key);
  }
}

/** Opens a sealed vault with the passphrase; a typed error for a wrong one or a damaged record. */
export async function openVault(
  stored: unknown,
  passphrase: string,
): Promise<{ vault: SealedVault; keys: DeviceKeys }> {
  const parsed = SealedVault.safeParse(stored);
  if (!parsed.success) throw new VaultError('damaged', 'the stored keys do not match their schema');
  const vault = parsed.data;
  const signPublic = fromBase64Url(vault.signPublic);
  const boxPublic = fromBase64Url(vault.boxPublic);
  const salt = fromBase64Url(vault.salt);
  const nonce = fromBase64Url(vault.nonce);
  const cipher = fromBase64Url(vault.cipher);
  if (!signPublic || !boxPublic || !salt || !nonce || !cipher)
    throw new VaultError('damaged', 'the stored keys are not valid base64url');
  const s = await getSodium();
  const key = await kek(passphrase, salt, { ops: vault.ops, memBytes: vault.memBytes });
  let plain: Uint8Array;
  try {
    plain = s.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      cipher,
      aad(vault.identity, signPublic, boxPublic),
      nonce,
      key,
    );
  } catch {
    throw new VaultError('wrong_passphrase', 'the passphrase does not open the keys');
  } finally {
    s.memzero(key);
  }
  const decoded = decodeWire(plain);
  const pair = decoded.ok ? decoded.value : undefined;
  if (
    !Array.isArray(pair) ||
    pair.length !== 2 ||
    !(pair[0] instanceof Uint8Array) ||
    pair[0].byteLength !== 64 ||
    !(pair[1] instanceof Uint8Array) ||
    pair[1].byteLength !== 32
  )
    throw new VaultError('damaged', 'the opened keys have a bad shape');
  return { vault, keys: { signPublic, signSecret: pair[0], boxPublic, boxSecret: pair[1] } };
}

/** The device's signer (Ed25519, detached; the secret stays in this module's closure). */
export function signerOf(keys: DeviceKeys): Signer {
  return {
    publicKey: keys.signPublic,
    sign: async (message) => (await getSodium()).crypto_sign_detached(message, keys.signSecret),
  };
}

/** The device's envelope opener (X25519 sealed-box unwrap). */
export function openerOf(keys: DeviceKeys): EnvelopeOpener {
  return {
    sealingKey: keys.boxPublic,
    unwrap: async (sealed) => {
      const s = await getSodium();
      try {
        return s.crypto_box_seal_open(sealed, keys.boxPublic, keys.boxSecret);
      } catch {
        return null;
      }
    },
  };
}
