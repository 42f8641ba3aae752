import { KEY_BYTES } from './backend.ts';
import { getSodium } from './wasm-sodium.ts';

/** Argon2id cost parameters, stored in the key header so they can be raised for new stores. */
export interface KdfParams {
  opsLimit: number;
  memLimitBytes: number;
}

/**
 * Production default: 3 passes over 64 MiB (libsodium's MODERATE ops at INTERACTIVE memory),
 * about half a second on the kit's laptop: slow for a thief's guesses, tolerable at unlock.
 */
export const DEFAULT_KDF: KdfParams = { opsLimit: 3, memLimitBytes: 64 * 1024 * 1024 };

/** Salt length required by libsodium's crypto_pwhash. */
export const SALT_BYTES = 16;

/**
 * Stretches a passphrase into a key-encryption key with Argon2id (libsodium WebAssembly build:
 * the same code on every machine). The passphrase is NFKC-normalised so that the same typed
 * Cyrillic text unlocks the store from any keyboard layout or input method.
 */
export async function deriveKek(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams,
): Promise<Uint8Array> {
  const s = await getSodium();
  const bytes = new TextEncoder().encode(passphrase.normalize('NFKC'));
  try {
    return s.crypto_pwhash(
      KEY_BYTES,
      bytes,
      salt,
      params.opsLimit,
      params.memLimitBytes,
      s.crypto_pwhash_ALG_ARGON2ID13,
    );
  } finally {
    s.memzero(bytes);
  }
}
