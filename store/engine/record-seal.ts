import type { Keyring } from '../../crypto/keyring.ts';
import { NONCE_BYTES, TAG_BYTES } from '../../crypto/backend.ts';
import { decodeCbor, encodeCbor } from '../cbor.ts';
import { StoreError } from '../errors.ts';
import type { TableDef } from '../tables.ts';
import { KEY_BYTES, writeKey } from './ids.ts';

/** Record layout version byte; bumped only if the envelope below changes. */
const FORMAT = 1;
/** format (1) + schema version (u16) + key epoch (u32), all authenticated as AAD. */
export const HEADER_BYTES = 7;

// Per table, an AAD buffer already holding `${table}\0`, with room for a record key and header:
// the AAD of every seal and open is assembled in place, without allocating. Every use is
// synchronous and finishes before the next begins.
interface AadSlot {
  table: string;
  tagBytes: number;
  aad: Buffer;
}
const aads = new Map<string, AadSlot>();
// The slot of the previous call: a stream of writes seals into one table.
let lastSlot: AadSlot | undefined;
const headerScratch = Buffer.allocUnsafe(HEADER_BYTES);

function aadSlot(table: string, keyBytes: number): AadSlot {
  let slot = lastSlot;
  if (slot?.table !== table) slot = aads.get(table);
  if (!slot || slot.aad.byteLength !== slot.tagBytes + keyBytes + HEADER_BYTES) {
    const tag = Buffer.from(`${table}\u0000`, 'utf8');
    slot = { table, tagBytes: tag.byteLength, aad: Buffer.alloc(tag.byteLength + keyBytes + HEADER_BYTES) };
    tag.copy(slot.aad, 0);
    aads.set(table, slot);
  }
  lastSlot = slot;
  return slot;
}

// Byte loops rather than TypedArray.set: for 8 and 7 bytes the builtin's call costs more than the copy.
function aadOf(table: string, key: Uint8Array, header: Uint8Array): Buffer {
  const n = key.byteLength;
  const { tagBytes, aad } = aadSlot(table, n);
  for (let i = 0; i < n; i++) aad[tagBytes + i] = key[i] as number;
  for (let i = 0; i < HEADER_BYTES; i++) aad[tagBytes + n + i] = header[i] as number;
  return aad;
}

/** {@link aadOf} for the record key of counter `seq`, written from the number (no key Buffer). */
function aadOfSeq(table: string, seq: number, header: Uint8Array): Buffer {
  const { tagBytes, aad } = aadSlot(table, KEY_BYTES);
  writeKey(aad, tagBytes, seq);
  for (let i = 0; i < HEADER_BYTES; i++) aad[tagBytes + KEY_BYTES + i] = header[i] as number;
  return aad;
}

/**
 * Encrypts a record body with XChaCha20-Poly1305 under the current data key. The AAD binds the
 * ciphertext to its table, record key and schema version, so a record moved, swapped or
 * relabelled fails to open instead of being misread.
 */
export function sealRecord(
  keyring: Keyring,
  table: string,
  key: Uint8Array,
  version: number,
  body: unknown,
): Buffer {
  return sealPlain(keyring, table, key, version, encodeCbor(body));
}

/**
 * Seals already-encoded bytes (rotation re-seals plaintext as is; tests seal deliberate garbage).
 * With `into` (from {@link sealedSize} bytes of a slab) the envelope is written there.
 */
export function sealPlain(
  keyring: Keyring,
  table: string,
  key: Uint8Array,
  version: number,
  plain: Uint8Array,
  into?: Buffer,
): Buffer {
  const epoch = keyring.currentEpoch;
  const header = envelopeHeader(epoch, version);
  return finishSeal(keyring, epoch, plain, aadOf(table, key, header), header, into);
}

/**
 * {@link sealPlain} for the record of counter `seq` (its key is `keyOf(seq)`), into `into`: the
 * write path's form, which seals a reading before its transaction without making its key Buffer.
 */
export function sealPlainAt(
  keyring: Keyring,
  table: string,
  seq: number,
  version: number,
  plain: Uint8Array,
  into: Buffer,
): Buffer {
  const epoch = keyring.currentEpoch;
  const header = envelopeHeader(epoch, version);
  return finishSeal(keyring, epoch, plain, aadOfSeq(table, seq, header), header, into);
}

/** The envelope header of a seal under key `epoch` (a scratch: the backend copies it). */
function envelopeHeader(epoch: number, version: number): Buffer {
  const header = headerScratch;
  if (!(version >= 0 && version <= 0xffff && epoch >= 0 && epoch <= 0xffff_ffff))
    throw new StoreError(
      'invalid_record',
      `Envelope header out of range (version ${version}, epoch ${epoch}).`,
    );
  // Byte writes: Buffer's writeUInt*BE re-checks its arguments on every call, once per record.
  header[0] = FORMAT;
  header[1] = version >>> 8;
  header[2] = version & 0xff;
  header[3] = epoch >>> 24;
  header[4] = (epoch >>> 16) & 0xff;
  header[5] = (epoch >>> 8) & 0xff;
  header[6] = epoch & 0xff;
  return header;
}

function finishSeal(
  keyring: Keyring,
  epoch: number,
  plain: Uint8Array,
  aad: Buffer,
  header: Buffer,
  into?: Buffer,
): Buffer {
  const dek = keyring.dek(epoch);
  if (!dek) throw new StoreError('locked', 'No data key for the current epoch.');
  const sealed = keyring.backend.seal(plain, aad, dek, header, into);
  if (into) return into;
  return Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
}

/** Bytes of the envelope {@link sealPlain} makes of `plainBytes` bytes of plaintext. */
export function sealedSize(plainBytes: number): number {
  return HEADER_BYTES + NONCE_BYTES + plainBytes + TAG_BYTES;
}

/** The envelope fields readable without the key (used by rotation to skip current records). */
export function envelopeEpoch(value: Uint8Array): number | undefined {
  if (value.byteLength < HEADER_BYTES) return undefined;
  // Read byte by byte: no Buffer view allocated for a check made on every record written.
  return (value[3] ?? 0) * 0x1000000 + ((value[4] ?? 0) << 16) + ((value[5] ?? 0) << 8) + (value[6] ?? 0);
}

/**
 * Opens an envelope to its plaintext bytes (blob chunks, rotation). Failures are StoreErrors
 * naming `label`: `corrupt_record` for a truncated envelope, `integrity` for a bad tag.
 */
export function openPlain(
  keyring: Keyring,
  table: string,
  key: Uint8Array,
  value: Uint8Array,
  label: string,
): { plain: Uint8Array; version: number; epoch: number } {
  const where = { table, recordId: label };
  if (value.byteLength < HEADER_BYTES + NONCE_BYTES + TAG_BYTES || value[0] !== FORMAT)
    throw new StoreError(
      'corrupt_record',
      `Corrupt record ${table} ${label}: truncated or unknown envelope.`,
      where,
    );
  const view = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const header = view.subarray(0, HEADER_BYTES);
  const version = view.readUInt16BE(1);
  const epoch = view.readUInt32BE(3);
  const dek = keyring.dek(epoch);
  if (!dek)
    throw new StoreError(
      'integrity',
      `Integrity error in ${table} ${label}: no key for epoch ${epoch}.`,
      where,
    );
  const plain = keyring.backend.open(view.subarray(HEADER_BYTES), aadOf(table, key, header), dek);
  if (!plain)
    throw new StoreError(
      'integrity',
      `Integrity error in ${table} ${label}: the record was altered or damaged.`,
      where,
    );
  return { plain, version, epoch };
}

/**
 * Decrypts, decodes, migrates and validates one record. Every failure is a StoreError naming
 * the record: `corrupt_record` (truncated envelope or bad CBOR), `integrity` (tag mismatch:
 * tampered or wrong key), `unknown_schema` (a version this build cannot read), `invalid_record`.
 */
export function openRecord<T>(
  keyring: Keyring,
  def: TableDef<T>,
  key: Uint8Array,
  value: Uint8Array,
  recordId: string,
): { body: T; version: number } {
  const where = { table: def.name, recordId };
  const { plain, version } = openPlain(keyring, def.name, key, value, recordId);
  let body = decodeCbor(plain, where);
  if (version > def.version || version < 1)
    throw new StoreError(
      'unknown_schema',
      `Record ${def.name} ${recordId} has unknown schema version ${version}.`,
      where,
    );
  if (version === def.version && def.readCurrent) {
    const current = def.readCurrent(body);
    if (current === undefined)
      throw new StoreError(
        'invalid_record',
        `Record ${def.name} ${recordId} does not match its schema.`,
        where,
      );
    return { body: current, version };
  }
  if (version === def.version && def.unpack) body = def.unpack(body);
  for (let v = version; v < def.version; v++) {
    const step = def.migrations[v];
    if (!step)
      throw new StoreError('unknown_schema', `No migration for ${def.name} from schema version ${v}.`, where);
    body = step(body);
  }
  const valid = def.check ? def.check(body) : parseWith(def, body);
  if (valid === undefined)
    throw new StoreError(
      'invalid_record',
      `Record ${def.name} ${recordId} does not match its schema.`,
      where,
    );
  return { body: valid, version };
}

function parseWith<T>(def: TableDef<T>, body: unknown): T | undefined {
  const parsed = def.schema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}
