import { z } from 'zod';
import type { CryptoBackend } from './backend.ts';
import { ascii } from './bytes.ts';
import { KdfParamsSchema, SALT_BYTES, deriveKek } from './kdf.ts';
import type { KdfParams } from './kdf.ts';
import { KeyError } from './errors.ts';
import type { Signer } from './signed-item.ts';
import { getSodium } from './wasm-sodium.ts';
import { decodeWire, encodeWire } from './wire-cbor.ts';

const AAD = ascii('fieldkit/org-key/v1');
const bin = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

/**
 * The organisation key file, kept on an offline machine: the Ed25519 seed sealed under a key
 * derived from a passphrase (Argon2id, as the store's), and the public key in clear so it can be
 * shown and pinned without unlocking.
 */
export const OrgKeyFile = z.object({
  format: z.literal(1),
  kdf: KdfParamsSchema.extend({ alg: z.literal('argon2id13'), salt: bin }),
  sealedSeed: bin,
  publicKey: bin.refine((b) => b.byteLength === 32, 'expected 32 bytes'),
});
/** See {@link OrgKeyFile}. */
export type OrgKeyFile = z.infer<typeof OrgKeyFile>;

/** An unlocked organisation key: it signs directories; `forget` erases its secret. */
export interface OrgSigner extends Signer {
  forget(): void;
}

async function signerFromSeed(seed: Uint8Array): Promise<OrgSigner> {
  const s = await getSodium();
  const pair = s.crypto_sign_seed_keypair(seed);
  s.memzero(seed);
  return {
    publicKey: pair.publicKey,
    sign: (message) => Promise.resolve(s.crypto_sign_detached(message, pair.privateKey)),
    forget: () => s.memzero(pair.privateKey),
  };
}

/** Creates a new organisation key; returns the file bytes and the unlocked signer. */
export async function createOrgKey(
  backend: CryptoBackend,
  passphrase: string,
  kdf: KdfParams,
): Promise<{ file: Uint8Array; signer: OrgSigner }> {
  const seed = backend.randomBytes(32);
  const salt = backend.randomBytes(SALT_BYTES);
  const kek = await deriveKek(passphrase, salt, kdf, backend.name);
  try {
    const sealedSeed = backend.seal(seed, AAD, kek);
    const signer = await signerFromSeed(Uint8Array.from(seed));
    backend.zero(seed);
    const file: OrgKeyFile = {
      format: 1,
      kdf: { alg: 'argon2id13', salt, ...kdf },
      sealedSeed,
      publicKey: signer.publicKey,
    };
    return { file: encodeWire(file), signer };
  } finally {
    backend.zero(kek);
  }
}

/** Parses an organisation key file (public key readable without the passphrase). */
export function readOrgKeyFile(bytes: Uint8Array): OrgKeyFile {
  const decoded = decodeWire(bytes);
  const parsed = decoded.ok ? OrgKeyFile.safeParse(decoded.value) : undefined;
  if (!parsed?.success)
    throw new KeyError('corrupt_header', 'The organisation key file is damaged or not one.');
  return parsed.data;
}

/** Unlocks the organisation key; a wrong passphrase is `wrong_secret`. */
export async function unlockOrgKey(
  backend: CryptoBackend,
  bytes: Uint8Array,
  passphrase: string,
): Promise<OrgSigner> {
  const file = readOrgKeyFile(bytes);
  const kek = await deriveKek(passphrase, file.kdf.salt, file.kdf, backend.name);
  try {
    const seed = backend.open(file.sealedSeed, AAD, kek);
    if (!seed) throw new KeyError('wrong_secret', 'Wrong passphrase for the organisation key.');
    return await signerFromSeed(seed);
  } finally {
    backend.zero(kek);
  }
}
