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
  const ids = encodeAsciiList(body.recordIds) ?? part(body.recordIds);
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

/**
 * The CBOR of a list of short ASCII strings (record ids: `o-` and 16 hex digits), byte for byte
 * what cbor-x writes for it, or undefined if any item is not ASCII under 64 characters (the
 * caller then encodes the list with cbor-x). A commit's audit entry lists every record of the
 * commit, and cbor-x's generic per-item dispatch, run only once per commit and so rarely
 * optimised by V8, cost up to ~0.7 us per reading written; one plain loop over the list is
 * optimised (on-stack) within its first long list.
 */
function encodeAsciiList(items: readonly string[]): Buffer | undefined {
  const n = items.length;
  let size = 9;
  for (let i = 0; i < n; i++) {
    const s = items[i] as string;
    // Under 24 bytes a 1-byte text header, else 2 (cbor-x's own loop covers under 64 units).
    if (typeof s !== 'string' || s.length >= 0x40) return undefined;
    size += s.length + (s.length < 0x18 ? 1 : 2);
  }
  const out = Buffer.allocUnsafe(size);
  let p: number;
  if (n < 0x18) {
    out[0] = 0x80 | n;
    p = 1;
  } else if (n < 0x100) {
    out[0] = 0x98;
    out[1] = n;
    p = 2;
  } else if (n < 0x10000) {
    out[0] = 0x99;
    out[1] = n >>> 8;
    out[2] = n & 0xff;
    p = 3;
  } else {
    out[0] = 0x9a;
    out.writeUInt32BE(n, 1);
    p = 5;
  }
  for (let i = 0; i < n; i++) {
    const s = items[i] as string;
    const len = s.length;
    if (len < 0x18) out[p++] = 0x60 | len;
    else {
      out[p++] = 0x78;
      out[p++] = len;
    }
    for (let j = 0; j < len; j++) {
      const c = s.charCodeAt(j);
      if (c >= 0x80) return undefined;
      out[p++] = c;
    }
  }
  return out.subarray(0, p);
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
