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
  return chainHashOf(keyring, canonical);
}

/** {@link chainHash} of an entry whose canonical array is already encoded (see {@link encodeAuditEntry}). */
export function chainHashOf(keyring: Keyring, canonical: Uint8Array): Uint8Array {
  return keyring.backend.hash(canonical, CHAIN_HASH_BYTES, chainKey(keyring));
}

// The constant parts of both encodings: a 7-entry map and a 7-item array header, and the keys.
const MAP_HEADER = Buffer.from([0xa7]);
const ARRAY_HEADER = Buffer.from([0x87]);
const KEYS = ['seq', 'at', 'actor', 'action', 'table', 'recordIds', 'prev'].map((k) =>
  Buffer.from(encodeCbor(k)),
);

/**
 * Both encodings of an audit entry, byte for byte what `encodeCbor(body)` (the stored body) and
 * chainHash's canonical array give, with the record id list encoded once for both: a commit of
 * a stream of readings notes hundreds of ids in one entry, and encoding them twice was most of
 * the entry's cost. Both are concatenations of items the same encoder makes one by one (no
 * shared structures, no string references), which audit-chain.test.ts checks with fast-check.
 */
export function encodeAuditEntry(body: AuditBody): { stored: Buffer; canonical: Buffer } {
  const part = (v: unknown) => Buffer.from(encodeCbor(v));
  const seq = part(body.seq);
  const at = part(body.at);
  const actor = part(body.actor);
  const action = part(body.action);
  const table = part(body.table);
  const ids = part(body.recordIds);
  const prev = part(body.prev);
  const [kSeq, kAt, kActor, kAction, kTable, kIds, kPrev] = KEYS as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ];
  return {
    stored: Buffer.concat([
      MAP_HEADER,
      kSeq,
      seq,
      kAt,
      at,
      kActor,
      actor,
      kAction,
      action,
      kTable,
      table,
      kIds,
      ids,
      kPrev,
      prev,
    ]),
    canonical: Buffer.concat([ARRAY_HEADER, seq, at, actor, action, table, ids, prev]),
  };
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
