import { z } from 'zod';
import { KEY_BYTES } from './backend.ts';
import type { BackendName } from './backend.ts';
import { getSodium } from './wasm-sodium.ts';

/** Argon2id cost parameters, stored in the key header so they can be raised for new stores. */
export interface KdfParams {
  opsLimit: number;
  memLimitBytes: number;
}

/**
 * Production default: 3 passes over 64 MiB (libsodium's MODERATE ops at INTERACTIVE memory),
 * about 0.3 s on the kit's laptop with the native build: slow for a thief's guesses, tolerable at
 * unlock.
 */
export const DEFAULT_KDF: KdfParams = { opsLimit: 3, memLimitBytes: 64 * 1024 * 1024 };

/** Bounds on Argon2id costs accepted from options and from a key header (one schema for both). */
export const KdfParamsSchema = z.object({
  opsLimit: z.number().int().min(1).max(64),
  memLimitBytes: z
    .number()
    .int()
    .min(8 * 1024)
    .max(4 * 1024 * 1024 * 1024),
});

/** Salt length required by libsodium's crypto_pwhash. */
export const SALT_BYTES = 16;

/** libsodium's crypto_pwhash_ALG_ARGON2ID13, the same constant in both builds. */
const ARGON2ID13 = 2;

type Argon2id = (passphrase: Uint8Array, salt: Uint8Array, params: KdfParams) => Promise<Uint8Array>;

let nativeArgon2id: Promise<Argon2id | undefined> | undefined;

/**
 * sodium-native's crypto_pwhash, or undefined when the addon does not load. It runs on libuv's
 * thread pool (the event loop stays free) and its 64 MiB work area is freed when it returns,
 * unlike the WebAssembly heap, which never shrinks.
 */
function loadNativeArgon2id(): Promise<Argon2id | undefined> {
  nativeArgon2id ??= import('sodium-native').then(
    ({ default: sodium }): Argon2id =>
      async (passphrase, salt, params) => {
        const out = Buffer.alloc(KEY_BYTES);
        await sodium.crypto_pwhash_async(
          out,
          passphrase,
          salt,
          params.opsLimit,
          params.memLimitBytes,
          ARGON2ID13,
        );
        return out;
      },
    () => undefined,
  );
  return nativeArgon2id;
}

async function wasmArgon2id(passphrase: Uint8Array, salt: Uint8Array, params: KdfParams) {
  const s = await getSodium();
  return s.crypto_pwhash(
    KEY_BYTES,
    passphrase,
    salt,
    params.opsLimit,
    params.memLimitBytes,
    s.crypto_pwhash_ALG_ARGON2ID13,
  );
}

/**
 * Stretches a passphrase into a key-encryption key with Argon2id (libsodium's code in both
 * builds, so the same inputs give the same KEK: a store created with one opens with the other).
 * The native build is used when it loads ('auto' and 'sodium-native'), the WebAssembly one
 * otherwise or when asked for. The passphrase is NFKC-normalised so that the same typed Cyrillic
 * text unlocks the store from any keyboard layout or input method; its bytes are zeroed after.
 */
export async function deriveKek(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams,
  engine: BackendName | 'auto' = 'auto',
): Promise<Uint8Array> {
  const bytes = new TextEncoder().encode(passphrase.normalize('NFKC'));
  try {
    const native = engine === 'libsodium-wasm' ? undefined : await loadNativeArgon2id();
    if (native) return await native(bytes, salt, params);
    if (engine === 'sodium-native') throw new Error('sodium-native is not available for Argon2id.');
    return await wasmArgon2id(bytes, salt, params);
  } finally {
    bytes.fill(0);
  }
}
