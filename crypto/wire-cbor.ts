import { Encoder } from 'cbor-x';

/**
 * The one CBOR codec of the link's formats (envelope headers, signed items, receipts, the
 * directory, wire frames). Maps decode as plain objects, byte strings stay byte strings, no
 * record extension: what a browser's CBOR library reads the same way.
 */
const codec = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  variableMapSize: true,
  structures: undefined,
});

/** Encodes a value as one CBOR item. */
export function encodeWire(value: unknown): Uint8Array {
  return codec.encode(value);
}

/**
 * Decodes exactly one CBOR item from untrusted bytes. Returns `{ ok: false }` for anything that
 * is not a single well-formed item (truncated, trailing bytes, invalid); never throws.
 */
export function decodeWire(bytes: Uint8Array): { ok: true; value: unknown } | { ok: false; why: string } {
  if (bytes.byteLength === 0) return { ok: false, why: 'empty' };
  try {
    const items = codec.decodeMultiple(bytes) as unknown[] | undefined;
    if (!Array.isArray(items) || items.length !== 1) return { ok: false, why: 'not one CBOR item' };
    return { ok: true, value: items[0] };
  } catch (error) {
    return { ok: false, why: error instanceof Error ? error.message.slice(0, 120) : 'undecodable' };
  }
}
