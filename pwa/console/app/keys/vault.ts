import { z } from 'zod';
import { concatBytes, equalBytes, fromBase64Url, toBase64Url } from '../../../../crypto/bytes.ts';
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
 * with XChaCha20-Poly1305 under a key Argon2id derives from the passphrase.
 *
 * Format 3 (now written): `bind` is the device's own Ed25519 signature over every other field of
 * the record (identity, the pinned organisation key `org`, the code's `orgCheck`, label, public
 * keys, KDF cost, salt, nonce, ciphertext). The signing secret is inside the sealed part, so
 * whoever can write the browser profile's IndexedDB cannot swap the pinned organisation key (and
 * make the console trust a forged directory) without the record being refused on unlock. The
 * AAD binds the format, the identity and the public keys, and the opened secrets must match the
 * public keys.
 *
 * Older formats open once and come back as format 3 (`migrated`), sealed again: the caller
 * writes the record back at once.
 * - Format 1 had no `bind`: its `org` and `orgCheck` were outside any seal.
 * - Format 2 was signed like format 3, but its secrets were sealed under format 1's AAD: its
 *   sealed part could be put in a format-1 record (no signature checked) with another `org`.
 * Format 3's AAD names format 3, so its sealed part opens in no older format: a format-3 record
 * rewritten as an older one does not open. (A copy of the record from before its migration can
 * still be put back: nothing outside the profile remembers that it was migrated.)
 */
export const SealedVault = z.object({
  v: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  /** The device's signature over the record's other fields (formats 2 and 3; base64url, 64 bytes). */
  bind: z.string().max(100).optional(),
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

/**
 * Why a vault does not open. `tampered`: the passphrase opened the keys but the record's fields
 * that decide trust are not the ones the device signed (changed outside the console).
 */
export class VaultError extends Error {
  constructor(
    readonly code: 'wrong_passphrase' | 'damaged' | 'tampered',
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

/** The format's name in the AAD: formats 1 and 2 sealed under the same one, format 3 under its own. */
function aad(v: 1 | 2 | 3, identity: string, signPublic: Uint8Array, boxPublic: Uint8Array): Uint8Array {
  const format = v === 3 ? 'v3' : 'v1';
  return concatBytes(
    new TextEncoder().encode(`fieldkit/console-vault/${format}\u0000${identity}\u0000`),
    signPublic,
    boxPublic,
  );
}

/** The bytes the device signs: every field of the record but `bind`, in a fixed order. */
function bindingBytes(vault: SealedVault): Uint8Array {
  return encodeWire([
    vault.v === 3 ? 'fieldkit/console-vault-binding/v3' : 'fieldkit/console-vault-binding/v2',
    vault.identity,
    vault.org,
    vault.orgCheck ?? null,
    vault.label,
    vault.signPublic,
    vault.boxPublic,
    vault.salt,
    vault.nonce,
    vault.cipher,
    vault.ops,
    vault.memBytes,
  ]);
}

/**
 * Signs the record's fields with the device key (format 3). Called when the vault is made and
 * whenever a field changes while unlocked (the organisation key pinned from the first directory).
 */
export async function bindVault(vault: SealedVault, keys: DeviceKeys): Promise<SealedVault> {
  if (vault.v !== 3) throw new VaultError('damaged', 'only a format-3 record is signed again');
  const s = await getSodium();
  const { bind: _old, ...fields } = vault;
  void _old;
  const unbound: SealedVault = { ...fields, v: 3 };
  const signature = s.crypto_sign_detached(bindingBytes(unbound), keys.signSecret);
  return { ...unbound, bind: toBase64Url(signature) };
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
      aad(3, meta.identity, keys.signPublic, keys.boxPublic),
      null,
      nonce,
      key,
    );
    s.memzero(plain);
    return await bindVault(
      {
        v: 3,
        ...meta,
        signPublic: toBase64Url(keys.signPublic),
        boxPublic: toBase64Url(keys.boxPublic),
        salt: toBase64Url(salt),
        nonce: toBase64Url(nonce),
        cipher: toBase64Url(cipher),
        ops: kdf.ops,
        memBytes: kdf.memBytes,
      },
      keys,
    );
  } finally {
    s.memzero(key);
  }
}

/**
 * Opens a sealed vault with the passphrase; a typed error for a wrong one, a damaged record, or
 * (formats 2 and 3) a record whose signed fields were changed. An older-format record comes back
 * as format 3 (`migrated: true`) for the caller to store.
 */
export async function openVault(
  stored: unknown,
  passphrase: string,
): Promise<{ vault: SealedVault; keys: DeviceKeys; migrated: boolean }> {
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
  const opens = (v: 1 | 2 | 3): Uint8Array | null => {
    try {
      return s.crypto_aead_xchacha20poly1305_ietf_decrypt(
        null,
        cipher,
        aad(v, vault.identity, signPublic, boxPublic),
        nonce,
        key,
      );
    } catch {
      return null;
    }
  };
  let plain: Uint8Array | null;
  try {
    plain = opens(vault.v);
    // Sealed as another format than the record says: the passphrase is right, the record was
    // rewritten (a format-3 record passed off as an older one, whose migration trusts more).
    if (!plain && opens(vault.v === 3 ? 1 : 3))
      throw new VaultError('tampered', 'the record claims another format than its keys were sealed in');
  } finally {
    s.memzero(key);
  }
  if (!plain) throw new VaultError('wrong_passphrase', 'the passphrase does not open the keys');
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
  const keys: DeviceKeys = { signPublic, signSecret: pair[0], boxPublic, boxSecret: pair[1] };
  // The opened secrets belong to the public keys in the clear (an Ed25519 secret ends with its
  // public key; the X25519 public key is the base-point multiple of its secret).
  if (
    !equalBytes(s.crypto_sign_ed25519_sk_to_pk(keys.signSecret), signPublic) ||
    !equalBytes(s.crypto_scalarmult_base(keys.boxSecret), boxPublic)
  )
    throw new VaultError('tampered', 'the public keys are not those of the sealed secrets');
  if (vault.v !== 1) {
    const bind = vault.bind === undefined ? undefined : fromBase64Url(vault.bind);
    if (
      !bind ||
      bind.byteLength !== 64 ||
      !s.crypto_sign_verify_detached(bind, bindingBytes(vault), signPublic)
    )
      throw new VaultError(
        'tampered',
        'the pinned organisation key or identity is not the one the device signed',
      );
  }
  if (vault.v !== 3) {
    // Sealed again under format 3's AAD (a new salt and nonce, the same passphrase and cost).
    const meta = {
      identity: vault.identity,
      org: vault.org,
      ...(vault.orgCheck === undefined ? {} : { orgCheck: vault.orgCheck }),
      label: vault.label,
    };
    const kdf = { ops: vault.ops, memBytes: vault.memBytes };
    return { vault: await sealVault(keys, passphrase, meta, kdf), keys, migrated: true };
  }
  return { vault, keys, migrated: false };
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
