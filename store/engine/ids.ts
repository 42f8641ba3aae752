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

/** Zeros that left-pad a hex word of `8 - n` digits to 8 (index: the digits missing). */
const PAD = ['', '0', '00', '000', '0000', '00000', '000000', '0000000', '00000000'];
// The id's `${prefix}-${high word}` part of the previous call: every id of a store below 2^32
// records shares it, so only the low word is formatted per record.
let headPrefix = '';
let headHigh = -1;
let head = '';

/**
 * The id of the record whose key is `keyOf(seq)`, computed from the counter (no Buffer walk).
 * Called once per record written: the prefix and high word are reused from the previous call.
 */
export function idOfSeq(prefix: string, seq: number): string {
  const high = Math.floor(seq / 0x1_0000_0000);
  const low = seq - high * 0x1_0000_0000;
  if (high !== headHigh || prefix !== headPrefix) {
    const word = high.toString(16);
    head = `${prefix}-${PAD[8 - word.length] ?? ''}${word}`;
    headPrefix = prefix;
    headHigh = high;
  }
  const word = low.toString(16);
  return head + (PAD[8 - word.length] ?? '') + word;
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
