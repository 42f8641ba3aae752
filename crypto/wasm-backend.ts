import type { CryptoBackend } from './backend-contract.ts';
import { NONCE_BYTES, TAG_BYTES, checkSealTarget } from './backend-contract.ts';
import { getSodium } from './wasm-sodium.ts';

/**
 * The portable backend: libsodium compiled to WebAssembly. Always installable (no native addon),
 * slower per call because every buffer is copied into the WebAssembly heap.
 */
export async function createWasmBackend(): Promise<CryptoBackend> {
  const s = await getSodium();
  return {
    name: 'libsodium-wasm',
    randomBytes: (length) => s.randombytes_buf(length),
    seal(plaintext, aad, key, prefix, into) {
      const skip = prefix?.byteLength ?? 0;
      if (into) checkSealTarget(into, plaintext.byteLength, skip);
      const nonce = s.randombytes_buf(NONCE_BYTES);
      const ct = s.crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, aad, null, nonce, key);
      const out = into ?? new Uint8Array(skip + NONCE_BYTES + ct.byteLength);
      if (prefix) out.set(prefix, 0);
      out.set(nonce, skip);
      out.set(ct, skip + NONCE_BYTES);
      return out;
    },
    open(sealed, aad, key) {
      if (sealed.byteLength < NONCE_BYTES + TAG_BYTES) return null;
      try {
        return s.crypto_aead_xchacha20poly1305_ietf_decrypt(
          null,
          sealed.subarray(NONCE_BYTES),
          aad,
          sealed.subarray(0, NONCE_BYTES),
          key,
        );
      } catch {
        return null;
      }
    },
    hash: (input, length, key) => s.crypto_generichash(length, input, key ?? null),
    zero: (buffer) => s.memzero(buffer),
  };
}
