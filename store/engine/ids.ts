import { StoreError } from '../errors.ts';

/** Bytes of a record key: a big-endian counter, so new records append at the end of the B-tree. */
export const KEY_BYTES = 8;

/**
 * Record ids are a per-store monotonic counter. That reveals insertion order only (no names,
 * dates or device data in keys), and sequential keys are what let LMDB append instead of
 * splitting pages: about 4x the write rate of random 16-byte ids.
 */
export function keyOf(seq: number): Buffer {
  const key = Buffer.allocUnsafe(KEY_BYTES);
  key.writeUInt32BE(Math.floor(seq / 0x1_0000_0000), 0);
  key.writeUInt32BE(seq % 0x1_0000_0000, 4);
  return key;
}

/** The counter inside a record key. */
export function seqOf(key: Uint8Array): number {
  const view = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return view.readUInt32BE(0) * 0x1_0000_0000 + view.readUInt32BE(4);
}

/** A record id as callers see it: a table letter and the counter in hex (e.g. `o-00000000000002a1`). */
export function idOf(prefix: string, key: Uint8Array): string {
  return `${prefix}-${Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('hex')}`;
}

/** Character codes of the lowercase hex digits. */
const HEX = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));
const hex = (word: number, shift: number): number => HEX[(word >>> shift) & 15] as number;

/**
 * The id of the record whose key is `keyOf(seq)`, computed from the counter (no Buffer walk).
 * Called once per record written, so for a one-letter prefix (every table's) the id is made as
 * one flat string from its 18 character codes: joining a prefix and a hex word made a
 * concatenation that V8 flattened into a second string at the first read (the audit entry), three
 * allocations per record instead of one.
 */
export function idOfSeq(prefix: string, seq: number): string {
  const high = Math.floor(seq / 0x1_0000_0000);
  const low = seq - high * 0x1_0000_0000;
  if (prefix.length !== 1)
    return `${prefix}-${high.toString(16).padStart(8, '0')}${low.toString(16).padStart(8, '0')}`;
  // prettier-ignore
  return String.fromCharCode(
    prefix.charCodeAt(0), 0x2d,
    hex(high, 28), hex(high, 24), hex(high, 20), hex(high, 16),
    hex(high, 12), hex(high, 8), hex(high, 4), hex(high, 0),
    hex(low, 28), hex(low, 24), hex(low, 20), hex(low, 16),
    hex(low, 12), hex(low, 8), hex(low, 4), hex(low, 0),
  );
}

/** Writes the key of counter `seq` (see {@link keyOf}) into `into` at `at`, allocating nothing. */
export function writeKey(into: Uint8Array, at: number, seq: number): void {
  const high = Math.floor(seq / 0x1_0000_0000);
  const low = seq - high * 0x1_0000_0000;
  into[at] = high >>> 24;
  into[at + 1] = (high >>> 16) & 0xff;
  into[at + 2] = (high >>> 8) & 0xff;
  into[at + 3] = high & 0xff;
  into[at + 4] = low >>> 24;
  into[at + 5] = (low >>> 16) & 0xff;
  into[at + 6] = (low >>> 8) & 0xff;
  into[at + 7] = low & 0xff;
}

/** Parses an id back to its key, checking the table letter; anything else is `not_found`. */
export function keyOfId(prefix: string, id: string, table: string, bytes = KEY_BYTES): Buffer {
  if (id.length !== prefix.length + 1 + bytes * 2 || !id.startsWith(`${prefix}-`))
    throw new StoreError('not_found', `No ${table} record with id ${JSON.stringify(id.slice(0, 40))}.`, {
      table,
      recordId: id.slice(0, 40),
    });
  const hex = id.slice(prefix.length + 1);
  if (!/^[0-9a-f]+$/.test(hex))
    throw new StoreError('not_found', `No ${table} record with id ${JSON.stringify(id)}.`, {
      table,
      recordId: id,
    });
  return Buffer.from(hex, 'hex');
}
