import { Encoder } from 'cbor-x';
import { z } from 'zod';
import type { CryptoBackend } from './backend.ts';
import { KEY_BYTES } from './backend.ts';
import { KeyError } from './errors.ts';
import type { KdfParams } from './kdf.ts';
import { KdfParamsSchema, SALT_BYTES, deriveKek } from './kdf.ts';
import type { KeyBundle } from './key-bundle.ts';
import { newKeyBundle, openBundle, sealBundle } from './key-bundle.ts';

const bin = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

/**
 * The store's key header: small, rewritten atomically, readable without opening the database.
 * passphrase -> Argon2id -> KEK -> master key -> key bundle (data keys, index key, identity).
 * The master key indirection lets the passphrase and the recovery key each wrap it, and lets a
 * rotation reseal the bundle without knowing either secret.
 */
export const KeyHeader = z.object({
  format: z.literal(1),
  kdf: KdfParamsSchema.extend({ alg: z.literal('argon2id13'), salt: bin }),
  wrappedByPassphrase: bin,
  wrappedByRecovery: bin.optional(),
  bundle: bin,
  publicKeys: z.object({ signing: bin, sealing: bin }),
});
/** See {@link KeyHeader}. */
export type KeyHeader = z.infer<typeof KeyHeader>;

const cbor = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const enc = new TextEncoder();
const PASS_AAD = enc.encode('fieldkit/master-key/passphrase/v1');
const RECOVERY_AAD = enc.encode('fieldkit/master-key/recovery/v1');

/** An unlocked header: the master key and the bundle it opened. Zero both when locking. */
export interface Unlocked {
  masterKey: Uint8Array;
  bundle: KeyBundle;
}

/** Serialises a header for its file. */
export function encodeKeyHeader(header: KeyHeader): Uint8Array {
  return cbor.encode(header);
}

/** Parses a header file's bytes; anything unexpected is a `corrupt_header` error, never a crash. */
export function decodeKeyHeader(bytes: Uint8Array): KeyHeader {
  let raw: unknown;
  try {
    raw = cbor.decode(bytes);
  } catch {
    throw new KeyError('corrupt_header', 'The key header file is not valid CBOR.');
  }
  const parsed = KeyHeader.safeParse(raw);
  if (!parsed.success) throw new KeyError('corrupt_header', 'The key header file has an unexpected shape.');
  return parsed.data;
}

async function kekFor(
  backend: CryptoBackend,
  passphrase: string,
  kdf: KeyHeader['kdf'],
): Promise<Uint8Array> {
  return deriveKek(passphrase, kdf.salt, kdf, backend.name);
}

/** Creates the header of a new store with fresh keys, wrapped under the passphrase. */
export async function createKeyHeader(
  backend: CryptoBackend,
  passphrase: string,
  params: KdfParams,
  publicKeys: (bundle: KeyBundle) => Promise<KeyHeader['publicKeys']>,
): Promise<{ header: KeyHeader; unlocked: Unlocked }> {
  const bundle = newKeyBundle(backend);
  const masterKey = backend.randomBytes(KEY_BYTES);
  const kdf = { alg: 'argon2id13' as const, salt: backend.randomBytes(SALT_BYTES), ...params };
  const kek = await kekFor(backend, passphrase, kdf);
  try {
    const header: KeyHeader = {
      format: 1,
      kdf,
      wrappedByPassphrase: backend.seal(masterKey, PASS_AAD, kek),
      bundle: sealBundle(backend, bundle, masterKey),
      publicKeys: await publicKeys(bundle),
    };
    return { header, unlocked: { masterKey, bundle } };
  } finally {
    backend.zero(kek);
  }
}

/** Unlocks with the passphrase; a wrong one is `wrong_secret` and touches nothing. */
export async function unlockWithPassphrase(
  backend: CryptoBackend,
  header: KeyHeader,
  passphrase: string,
): Promise<Unlocked> {
  const kek = await kekFor(backend, passphrase, header.kdf);
  try {
    const masterKey = backend.open(header.wrappedByPassphrase, PASS_AAD, kek);
    if (!masterKey) throw new KeyError('wrong_secret', 'Wrong passphrase.');
    return { masterKey, bundle: openBundle(backend, header.bundle, masterKey) };
  } finally {
    backend.zero(kek);
  }
}

/** Unlocks with the 32-byte recovery key, for when the passphrase is forgotten. */
export function unlockWithRecovery(
  backend: CryptoBackend,
  header: KeyHeader,
  recoveryKey: Uint8Array,
): Unlocked {
  if (!header.wrappedByRecovery) throw new KeyError('wrong_secret', 'This store has no recovery key.');
  const masterKey = backend.open(header.wrappedByRecovery, RECOVERY_AAD, recoveryKey);
  if (!masterKey) throw new KeyError('wrong_secret', 'Wrong recovery key.');
  return { masterKey, bundle: openBundle(backend, header.bundle, masterKey) };
}

/** Rewraps the master key under a new passphrase (new salt); records are not touched. */
export async function rewrapPassphrase(
  backend: CryptoBackend,
  header: KeyHeader,
  unlocked: Unlocked,
  passphrase: string,
  params: KdfParams = header.kdf,
): Promise<KeyHeader> {
  const kdf = {
    alg: 'argon2id13' as const,
    salt: backend.randomBytes(SALT_BYTES),
    opsLimit: params.opsLimit,
    memLimitBytes: params.memLimitBytes,
  };
  const kek = await kekFor(backend, passphrase, kdf);
  try {
    return { ...header, kdf, wrappedByPassphrase: backend.seal(unlocked.masterKey, PASS_AAD, kek) };
  } finally {
    backend.zero(kek);
  }
}

/** Adds (or replaces) a recovery key; the caller shows it once and never stores it. */
export function addRecoveryKey(
  backend: CryptoBackend,
  header: KeyHeader,
  unlocked: Unlocked,
): { header: KeyHeader; recoveryKey: Uint8Array } {
  const recoveryKey = backend.randomBytes(KEY_BYTES);
  const wrappedByRecovery = backend.seal(unlocked.masterKey, RECOVERY_AAD, recoveryKey);
  return { header: { ...header, wrappedByRecovery }, recoveryKey };
}

/** Reseals a changed bundle (rotation) under the same master key. */
export function withBundle(
  backend: CryptoBackend,
  header: KeyHeader,
  unlocked: Unlocked,
  bundle: KeyBundle,
): KeyHeader {
  return { ...header, bundle: sealBundle(backend, bundle, unlocked.masterKey) };
}
