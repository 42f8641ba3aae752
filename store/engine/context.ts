import type { Keyring } from '../../crypto/keyring.ts';
import type { Dbs } from './db.ts';
import { StoreError } from '../errors.ts';
import { idOf } from './ids.ts';
import { lookupPostings } from './postings.ts';
import { openRecord } from './record-seal.ts';
import type { BodyOf, TableName } from '../tables.ts';
import type { TableDef } from '../tables.ts';
import { TABLES } from '../tables.ts';
import type { ReadAuditLog } from './read-audit.ts';
import type { WriteBatcher } from './write-batcher.ts';
import type { WriteDeps } from './write-tx.ts';

/** Callback for list reads that should skip damaged records instead of failing the whole list. */
export type OnDamaged = (error: StoreError) => void;

/** Options of list reads. */
export interface ReadOptions {
  /** When given, damaged records are reported here and skipped; otherwise the read throws. */
  onDamaged?: OnDamaged;
}

/** What every table module needs: the open databases, the keys, the writer and who is acting. */
export interface StoreContext extends WriteDeps {
  readonly dir: string;
  readonly dbs: Dbs;
  readonly keyring: Keyring;
  readonly batcher: WriteBatcher;
  readonly actor: string;
  readonly readAudit: ReadAuditLog;
}

/** Decrypts one record (by key) of a table, or undefined if absent. */
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
  return openRecord(ctx.keyring, def, key, value, idOf(def.prefix, key)).body;
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

/** Decrypts many records, applying the damaged-record policy of {@link ReadOptions}. */
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
      if (options.onDamaged && error instanceof StoreError) options.onDamaged(error);
      else throw error;
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
  const out = readMany(ctx, table, keys, shape, options);
  auditRead(
    ctx,
    table,
    out.map((r) => r.id),
  );
  return out;
}

/** Records that records were read, without making the reader wait for the audit commit. */
export function auditRead(ctx: StoreContext, table: string, ids: readonly string[]): void {
  ctx.readAudit.note(table, ids);
}
