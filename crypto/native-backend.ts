import sodium from 'sodium-native';
import type { CryptoBackend } from './backend-contract.ts';
import { NONCE_BYTES, TAG_BYTES, checkSealTarget } from './backend-contract.ts';

/**
 * The production backend: sodium-native calls libsodium directly (about 3 us per 1 KiB record),
 * which is what lets encrypted writes keep up with raw LMDB.
 */
export function createNativeBackend(): CryptoBackend {
  // Nonces are drawn from a pool refilled 256 at a time: one getrandom call instead of one per record.
  const pool = Buffer.allocUnsafe(NONCE_BYTES * 256);
  let used = pool.byteLength;
  const nextNonce = (into: Buffer) => {
    if (used === pool.byteLength) {
      sodium.randombytes_buf(pool);
      used = 0;
    }
    pool.copy(into, 0, used, used + NONCE_BYTES);
    pool.fill(0, used, used + NONCE_BYTES);
    used += NONCE_BYTES;
  };
  return {
    name: 'sodium-native',
    randomBytes(length) {
      const out = Buffer.allocUnsafe(length);
      sodium.randombytes_buf(out);
      return out;
    },
    seal(plaintext, aad, key, prefix, into) {
      const skip = prefix?.byteLength ?? 0;
      let out: Buffer;
      if (into) {
        checkSealTarget(into, plaintext.byteLength, skip);
        out = Buffer.isBuffer(into) ? into : Buffer.from(into.buffer, into.byteOffset, into.byteLength);
      } else out = Buffer.allocUnsafe(skip + NONCE_BYTES + plaintext.byteLength + TAG_BYTES);
      if (prefix) out.set(prefix, 0);
      const nonce = out.subarray(skip, skip + NONCE_BYTES);
      nextNonce(nonce);
      sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
        out.subarray(skip + NONCE_BYTES),
        plaintext,
        aad,
        null,
        nonce,
        key,
      );
      return into ?? out;
    },
    open(sealed, aad, key) {
      if (sealed.byteLength < NONCE_BYTES + TAG_BYTES) return null;
      const out = Buffer.allocUnsafe(sealed.byteLength - NONCE_BYTES - TAG_BYTES);
      try {
        sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
          out,
          null,
          sealed.subarray(NONCE_BYTES),
          aad,
          sealed.subarray(0, NONCE_BYTES),
          key,
        );
        return out;
      } catch {
        return null;
      }
    },
    hash(input, length, key) {
      const out = Buffer.allocUnsafe(length);
      if (key) sodium.crypto_generichash(out, input, key);
      else sodium.crypto_generichash(out, input);
      return out;
    },
    zero(buffer) {
      sodium.sodium_memzero(buffer);
    },
  };
}
