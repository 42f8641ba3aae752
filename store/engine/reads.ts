import { StoreError } from '../errors.ts';
import { isDamage } from '../integrity/damage.ts';
import type { BodyOf, TableDef, TableName } from '../tables.ts';
import { TABLES } from '../tables.ts';
import type { ReadOptions, StoreContext } from './context.ts';
import { idOf, keyOfId } from './ids.ts';
import { lookupPostings } from './postings.ts';
import { openRecord } from './record-seal.ts';

/**
 * Decrypts one record (by key) of a table, or undefined if absent. A record that cannot be read
 * throws a StoreError naming it, and is noted in the store's damage log.
 */
export function readRecord<T extends TableName>(
  ctx: StoreContext,
  table: T,
  key: Buffer,
): BodyOf<T> | undefined {
  const def = TABLES[table] as TableDef<BodyOf<T>>;
  // The fast read returns LMDB's shared read buffer instead of a fresh copy per record: it is
  // only valid until the next read, and openRecord copies what it keeps (the plaintext) at once.
  // Its `length` (not its byteLength) is the value's size, hence the view.
  const shared = ctx.dbs.tables[table].getBinaryFast(key);
  if (shared === undefined) return undefined;
  const value = shared.subarray(0, shared.length);
  try {
    return openRecord(ctx.keyring, def, key, value, idOf(def.prefix, key)).body;
  } catch (error) {
    if (isDamage(error)) ctx.damage.note(error);
    throw error;
  }
}

/** Decrypts one record or throws `not_found`. */
export function requireRecord<T extends TableName>(ctx: StoreContext, table: T, key: Buffer): BodyOf<T> {
  const body = readRecord(ctx, table, key);
  if (body === undefined) {
    const recordId = idOf(TABLES[table].prefix, key);
    throw new StoreError('not_found', `No ${table} record ${recordId}.`, { table, recordId });
  }
  return body;
}

/**
 * The one get-by-id of every table: parses the id against the table's prefix, decrypts the
 * record (or throws `not_found`, or the StoreError naming the damage), shapes it and notes the
 * read in the audit log.
 */
export function getById<T extends TableName, R>(
  ctx: StoreContext,
  table: T,
  id: string,
  shape: (key: Buffer, body: BodyOf<T>) => R,
): R {
  const def: TableDef = TABLES[table];
  const key = keyOfId(def.prefix, id, table, def.keyBytes);
  const record = shape(key, requireRecord(ctx, table, key));
  auditRead(ctx, table, [id]);
  return record;
}

/**
 * Decrypts many records. A record that cannot be read is skipped and reported (to
 * `options.onDamaged` and the store's damage log): one damaged record never hides the others.
 * Other errors (a closed store) are thrown.
 */
export function readMany<T extends TableName, R>(
  ctx: StoreContext,
  table: T,
  keys: Iterable<Uint8Array>,
  shape: (key: Buffer, body: BodyOf<T>) => R,
  options: ReadOptions = {},
): R[] {
  const out: R[] = [];
  for (const raw of keys) {
    const key = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    try {
      const body = readRecord(ctx, table, key);
      if (body !== undefined) out.push(shape(key, body));
    } catch (error) {
      if (!isDamage(error)) throw error;
      options.onDamaged?.(error);
    }
  }
  return out;
}

/**
 * The records a blind-index term points to (tag + value, e.g. visit id), decrypted, shaped and
 * noted in the read audit: the one path every "by visit / by patient" lookup takes.
 */
export function readByTerm<T extends TableName, R extends { id: string }>(
  ctx: StoreContext,
  table: T,
  tag: string,
  value: string,
  shape: (key: Buffer, body: BodyOf<T>) => R,
  options?: ReadOptions,
): R[] {
  const keys = lookupPostings(ctx.dbs.index, ctx.keyring.blind(tag, value));
  return auditedList(ctx, table, readMany(ctx, table, keys, shape, options));
}

/** Notes every record of a list read in the audit log and returns the list. */
export function auditedList<R extends { id: string }>(ctx: StoreContext, table: TableName, list: R[]): R[] {
  auditRead(
    ctx,
    table,
    list.map((r) => r.id),
  );
  return list;
}

/** Records that records were read, without making the reader wait for the audit commit. */
export function auditRead(ctx: StoreContext, table: string, ids: readonly string[]): void {
  ctx.readAudit.note(table, ids);
}
