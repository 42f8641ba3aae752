import type { StoreContext } from '../engine/context.ts';
import { readRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { idOf } from '../engine/ids.ts';
import { openRecord } from '../engine/record-seal.ts';
import type { AuditAction } from '../schema/audit-entry.ts';
import type { LinkRecordBody } from '../schema/link-record.ts';
import { TABLES } from '../tables.ts';
import type { WriteTx } from '../engine/write-tx.ts';

const T = 'link';
const MAX_KEY_BYTES = 400;

/** One link record as scanned: its key and decrypted body. */
export interface LinkEntry {
  readonly key: string;
  readonly body: LinkRecordBody;
}

/**
 * The link layer's view of one write transaction: keyed, sealed records it can read and change
 * atomically (all of a call's changes commit together, durable before the call resolves).
 */
export interface LinkTx {
  get(key: string): LinkRecordBody | undefined;
  put(key: string, body: LinkRecordBody): void;
  /** True if the record existed. */
  delete(key: string): boolean;
  /** Records whose key starts with `prefix`, in key order, from key `from` if given. */
  scan(prefix: string, limit?: number, from?: string): LinkEntry[];
  /** Notes an audited action on link records (clinical content received or sent). */
  audit(action: AuditAction, ids: readonly string[]): void;
}

function keyBytes(key: string): Buffer {
  const bytes = Buffer.from(key, 'utf8');
  if (bytes.byteLength === 0 || bytes.byteLength > MAX_KEY_BYTES)
    throw new StoreError('invalid_record', `Link record key of ${bytes.byteLength} bytes.`, { table: T });
  return bytes;
}

/** Reads one link record (outside a transaction). */
export function getLinkRecord(ctx: StoreContext, key: string): LinkRecordBody | undefined {
  return readRecord(ctx, T, keyBytes(key));
}

/**
 * Scans link records by key prefix, in key order (outside a transaction), optionally starting at
 * key `from` (within the prefix).
 */
export function scanLinkRecords(
  ctx: StoreContext,
  prefix: string,
  limit?: number,
  from?: string,
): LinkEntry[] {
  const base = Buffer.from(prefix, 'utf8');
  const end = Buffer.concat([base, Buffer.from([0xff])]);
  const start = from !== undefined && from > prefix ? Buffer.from(from, 'utf8') : base;
  const out: LinkEntry[] = [];
  for (const { key, value } of ctx.dbs.tables.link.getRange({ start, end, ...(limit ? { limit } : {}) })) {
    const k = Buffer.from(key);
    const { body } = openRecord(ctx.keyring, TABLES.link, k, value, idOf(TABLES.link.prefix, k));
    out.push({ key: k.toString('utf8'), body });
  }
  return out;
}

/** Counts link records under a prefix without decrypting them. */
export function countLinkRecords(ctx: StoreContext, prefix: string): number {
  const start = Buffer.from(prefix, 'utf8');
  return ctx.dbs.tables.link.getKeysCount({ start, end: Buffer.concat([start, Buffer.from([0xff])]) });
}

/**
 * Runs `fn` inside the next write transaction with a {@link LinkTx}; resolves with its result once
 * the commit is durable. `fn` must be synchronous; if it throws, none of its changes are written.
 */
export function linkTransaction<R>(ctx: StoreContext, fn: (tx: LinkTx) => R): Promise<R> {
  return ctx.batcher.enqueue((wtx: WriteTx) => {
    const db = ctx.dbs.tables.link;
    const tx: LinkTx = {
      get: (key) => readRecord(ctx, T, keyBytes(key)),
      put: (key, body) => {
        const parsed = TABLES.link.schema.safeParse(body);
        if (!parsed.success) throw new StoreError('invalid_record', 'Link record is invalid.', { table: T });
        wtx.putRecord(T, keyBytes(key), parsed.data);
      },
      delete: (key) => {
        const k = keyBytes(key);
        if (db.get(k) === undefined) return false;
        db.removeSync(k);
        return true;
      },
      scan: (prefix, limit, from) => scanLinkRecords(ctx, prefix, limit, from),
      audit: (action, ids) => wtx.audit(ctx.actor, action, T, ids),
    };
    return fn(tx);
  });
}

/** The record id a link key has in audit entries and integrity reports. */
export function linkRecordId(key: string): string {
  return idOf(TABLES.link.prefix, keyBytes(key));
}
