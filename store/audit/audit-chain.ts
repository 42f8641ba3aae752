import type { Keyring } from '../../crypto/keyring.ts';
import { encodeCbor } from '../cbor.ts';
import type { AuditBody } from '../schema/audit-entry.ts';

/** Length of a chain hash (BLAKE2b-256). */
export const CHAIN_HASH_BYTES = 32;
/** The `prev` of the first entry. */
export const GENESIS = new Uint8Array(CHAIN_HASH_BYTES);

/**
 * The hash that links an entry to the next: keyed BLAKE2b-256 (index key) over a canonical CBOR
 * array of the entry's fields, so it does not depend on map key order, cannot be recomputed by
 * someone without the key, and survives a key rotation re-encrypting the entries.
 */
export function chainHash(keyring: Keyring, body: AuditBody): Uint8Array {
  const canonical = encodeCbor([
    body.seq,
    body.at,
    body.actor,
    body.action,
    body.table,
    body.recordIds,
    body.prev,
  ]);
  return keyring.backend.hash(canonical, CHAIN_HASH_BYTES, chainKey(keyring));
}

const chainKeys = new WeakMap<Keyring, Uint8Array>();
function chainKey(keyring: Keyring): Uint8Array {
  let key = chainKeys.get(keyring);
  if (!key) {
    key = keyring.backend.hash(
      new TextEncoder().encode('fieldkit/audit-chain/v1'),
      32,
      keyring.bundle.indexKey,
    );
    chainKeys.set(keyring, key);
  }
  return key;
}

/** Forget the derived chain key when the kit locks. */
export function forgetChainKey(keyring: Keyring): void {
  const key = chainKeys.get(keyring);
  if (key) keyring.backend.zero(key);
  chainKeys.delete(keyring);
}

/** The chain head kept in the meta database: detects a truncated tail. */
export interface AuditHead {
  seq: number;
  hash: Uint8Array;
}
