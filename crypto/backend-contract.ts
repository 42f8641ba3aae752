/**
 * The contract every libsodium backend implements, in a module of its own: the backends import
 * it, and {@link loadBackend} (crypto/backend.ts) imports the backends, with no circle between.
 */
/** Sizes shared by both backends (XChaCha20-Poly1305 IETF, BLAKE2b). */
export const KEY_BYTES = 32;
/** XChaCha20 nonce length: 24 random bytes make nonce reuse negligible without a counter. */
export const NONCE_BYTES = 24;
/** Poly1305 tag length appended to every ciphertext. */
export const TAG_BYTES = 16;

/**
 * The symmetric primitives on the kit's hot path, behind one interface so the native binding
 * (fast, used in production) and the WebAssembly build (portable, always available) are
 * interchangeable and can be benchmarked side by side.
 */
export interface CryptoBackend {
  readonly name: 'sodium-native' | 'libsodium-wasm';
  randomBytes(length: number): Uint8Array;
  /**
   * Returns prefix || nonce || ciphertext || tag, with a fresh random nonce. The optional
   * plaintext `prefix` (a record's envelope header) shares the one allocation. With `into` (of
   * exactly {@link sealedLength} bytes) the envelope is written there and `into` is returned:
   * a writer sealing thousands of records a second carves them from one slab instead.
   */
  seal(
    plaintext: Uint8Array,
    aad: Uint8Array,
    key: Uint8Array,
    prefix?: Uint8Array,
    into?: Uint8Array,
  ): Uint8Array;
  /** Opens what {@link CryptoBackend.seal} produced; null when the tag does not verify. */
  open(sealed: Uint8Array, aad: Uint8Array, key: Uint8Array): Uint8Array | null;
  /** BLAKE2b, keyed when `key` is given (blind indexes, hash chains). */
  hash(input: Uint8Array, length: number, key?: Uint8Array): Uint8Array;
  /** Overwrites key material in place. */
  zero(buffer: Uint8Array): void;
}

/** The length of what {@link CryptoBackend.seal} returns for a plaintext and prefix of these lengths. */
export function sealedLength(plaintextBytes: number, prefixBytes = 0): number {
  return prefixBytes + NONCE_BYTES + plaintextBytes + TAG_BYTES;
}

/** Throws unless `into` has exactly the sealed length (a wrong slab would corrupt a neighbour). */
export function checkSealTarget(into: Uint8Array, plaintextBytes: number, prefixBytes: number): void {
  if (into.byteLength !== sealedLength(plaintextBytes, prefixBytes))
    throw new RangeError(
      `seal target holds ${into.byteLength} bytes, the envelope needs ${sealedLength(plaintextBytes, prefixBytes)}`,
    );
}

/** Names accepted by {@link loadBackend}. */
export type BackendName = CryptoBackend['name'];
