import { concatBytes, toBase64Url } from '../../crypto/bytes.ts';
import { getSodium } from '../../crypto/wasm-sodium.ts';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { DeviceKeys, SealedVault, VaultKdf } from '../../pwa/console/app/keys/vault.ts';

/**
 * A vault record as the older consoles wrote it, for the migration tests: format 1 (no binding)
 * or format 2 (bound, its secrets sealed under format 1's AAD). The console no longer writes
 * either, so the tests make them here, byte for byte as those versions did.
 */
export async function sealLegacyVault(
  v: 1 | 2,
  keys: DeviceKeys,
  passphrase: string,
  meta: { identity: string; org: string | null; orgCheck?: string; label: string },
  kdf: VaultKdf,
): Promise<SealedVault> {
  const s = await getSodium();
  const salt = s.randombytes_buf(s.crypto_pwhash_SALTBYTES);
  const nonce = s.randombytes_buf(s.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  const key = s.crypto_pwhash(32, passphrase, salt, kdf.ops, kdf.memBytes, s.crypto_pwhash_ALG_ARGON2ID13);
  const aad = concatBytes(
    new TextEncoder().encode(`fieldkit/console-vault/v1\u0000${meta.identity}\u0000`),
    keys.signPublic,
    keys.boxPublic,
  );
  const cipher = s.crypto_aead_xchacha20poly1305_ietf_encrypt(
    encodeWire([keys.signSecret, keys.boxSecret]),
    aad,
    null,
    nonce,
    key,
  );
  const record: SealedVault = {
    v,
    ...meta,
    signPublic: toBase64Url(keys.signPublic),
    boxPublic: toBase64Url(keys.boxPublic),
    salt: toBase64Url(salt),
    nonce: toBase64Url(nonce),
    cipher: toBase64Url(cipher),
    ops: kdf.ops,
    memBytes: kdf.memBytes,
  };
  if (v === 1) return record;
  const binding = encodeWire([
    'fieldkit/console-vault-binding/v2',
    record.identity,
    record.org,
    record.orgCheck ?? null,
    record.label,
    record.signPublic,
    record.boxPublic,
    record.salt,
    record.nonce,
    record.cipher,
    record.ops,
    record.memBytes,
  ]);
  return { ...record, bind: toBase64Url(s.crypto_sign_detached(binding, keys.signSecret)) };
}
