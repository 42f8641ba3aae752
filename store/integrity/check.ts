import type { AuditVerdict } from '../audit/audit-log.ts';
import { verifyAudit } from '../audit/audit-log.ts';
import type { StoreData } from '../engine/context.ts';
import { KEY_BYTES, idOf } from '../engine/ids.ts';
import { openRecord } from '../engine/record-seal.ts';
import { StoreError } from '../errors.ts';
import type { AttachmentBody } from '../schema/attachment.ts';
import type { TableName } from '../tables.ts';
import { ALL_TABLES, TABLES } from '../tables.ts';
import { blobPlaintext } from '../tables/attachments.ts';
import type { DamagedRecord } from './damage.ts';
import { isDamage } from './damage.ts';
import type { z } from 'zod';

/** Damaged records listed in a check (all are counted). */
export const MAX_LISTED = 1000;

/** One table's line of a {@link StoreCheck}. */
export interface TableCheck {
  readonly table: string;
  /** Records present. */
  readonly records: number;
  /** Records that do not open (and, for attachments, blobs that are incomplete or altered). */
  readonly damaged: number;
}

/**
 * A whole-store check: per table, what was scanned and what is damaged; the blind index (every
 * posting must point to a record); the blob chunks (every blob complete, no chunk without its
 * blob); the audit chain. `ok` only when nothing is damaged, no posting dangles and the chain
 * holds. Chunks without a blob are debris of an interrupted upload, counted but not damage.
 */
export interface StoreCheck {
  readonly ok: boolean;
  readonly tables: readonly TableCheck[];
  /** Records scanned over all tables. */
  readonly records: number;
  readonly chunks: number;
  readonly postings: number;
  /** Damaged records and blobs over all tables. */
  readonly damagedCount: number;
  /** The first {@link MAX_LISTED} of them, in table order then key order. */
  readonly damaged: readonly DamagedRecord[];
  /** Postings whose record does not exist, with the first few record keys (hex). */
  readonly danglingPostings: { readonly count: number; readonly keys: readonly string[] };
  readonly orphanChunks: number;
  readonly audit: AuditVerdict;
}

type AttachmentMeta = z.output<typeof AttachmentBody>;

/** What one scan of the tables found, kept for the blob and posting passes. */
interface Scan {
  tables: TableCheck[];
  damaged: DamagedRecord[];
  damagedCount: number;
  records: number;
  attachments: Map<string, AttachmentMeta>;
  /** Attachment records that do not open: their chunks are part of that damage, not debris. */
  unreadableAttachments: Set<string>;
}

function noteDamage(scan: Scan, record: DamagedRecord): void {
  scan.damagedCount += 1;
  if (scan.damaged.length < MAX_LISTED) scan.damaged.push(record);
}

function damageOf(error: unknown, table: string, id: string): DamagedRecord {
  if (isDamage(error)) return { table, id, code: error.code };
  return { table, id, code: error instanceof StoreError ? error.code : 'corrupt_record' };
}

function scanTables(data: StoreData): Scan {
  const scan: Scan = {
    tables: [],
    damaged: [],
    damagedCount: 0,
    records: 0,
    attachments: new Map(),
    unreadableAttachments: new Set(),
  };
  for (const def of ALL_TABLES) {
    let records = 0;
    let damaged = 0;
    for (const { key, value } of data.dbs.tables[def.name as TableName].getRange({})) {
      const k = Buffer.from(key);
      const id = idOf(def.prefix, k);
      records += 1;
      try {
        const { body } = openRecord(data.keyring, def, k, value, id);
        if (def === TABLES.attachments) scan.attachments.set(id, body as AttachmentMeta);
      } catch (error) {
        damaged += 1;
        noteDamage(scan, damageOf(error, def.name, id));
        if (def === TABLES.attachments) scan.unreadableAttachments.add(id);
      }
    }
    scan.records += records;
    scan.tables.push({ table: def.name, records, damaged });
  }
  return scan;
}

/** Verifies every readable blob end to end (chunks present, sealed, digest); returns the damaged. */
async function checkBlobs(data: StoreData, scan: Scan): Promise<DamagedRecord[]> {
  const bad: DamagedRecord[] = [];
  for (const [id, meta] of scan.attachments) {
    try {
      for await (const piece of blobPlaintext(data, id, meta)) void piece;
    } catch (error) {
      bad.push(damageOf(error, 'attachments', id));
    }
  }
  return bad;
}

/** Chunks whose blob has no readable attachment record, or that lie past its chunk count. */
function countChunks(data: StoreData, scan: Scan): { chunks: number; orphans: number } {
  let chunks = 0;
  let orphans = 0;
  for (const key of data.dbs.chunks.getKeys({})) {
    chunks += 1;
    const k = Buffer.from(key);
    const id = idOf(TABLES.attachments.prefix, k.subarray(0, KEY_BYTES));
    if (scan.unreadableAttachments.has(id)) continue;
    const meta = scan.attachments.get(id);
    if (!meta || k.byteLength !== KEY_BYTES + 4 || k.readUInt32BE(KEY_BYTES) >= meta.chunkCount) {
      orphans += 1;
      continue;
    }
  }
  return { chunks, orphans };
}

/** True when a record with this posting key exists in some indexed table. */
function postedRecordExists(data: StoreData, posted: Buffer): boolean {
  for (const def of ALL_TABLES) {
    if (!def.index) continue;
    const db = data.dbs.tables[def.name as TableName];
    const candidates = def.index.recordKeys ? def.index.recordKeys(posted) : [posted];
    for (const key of candidates) if (db.doesExist(key)) return true;
  }
  return false;
}

function checkPostings(data: StoreData): { postings: number; dangling: number; keys: string[] } {
  let postings = 0;
  let dangling = 0;
  const keys: string[] = [];
  for (const { value } of data.dbs.index.getRange({})) {
    const v = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (v.byteLength % KEY_BYTES !== 0) {
      dangling += 1;
      if (keys.length < 20) keys.push(`(entry of ${v.byteLength} bytes)`);
      continue;
    }
    for (let i = 0; i < v.byteLength; i += KEY_BYTES) {
      postings += 1;
      const posted = Buffer.from(v.subarray(i, i + KEY_BYTES));
      if (postedRecordExists(data, posted)) continue;
      dangling += 1;
      if (keys.length < 20) keys.push(posted.toString('hex'));
    }
  }
  return { postings, dangling, keys };
}

/**
 * Scans a whole store (or an LMDB snapshot of one): every record of every table opens, every
 * readable blob has all its chunks and matches its digest, every posting of the blind index
 * points to a record, and the audit chain holds. Reads only; audits nothing (it shows no
 * record's contents, only which records are damaged).
 */
export async function checkStore(data: StoreData): Promise<StoreCheck> {
  // These passes run in one synchronous stretch: lmdb-js renews its read transaction only on a
  // later turn, so they all read one snapshot even while the kit keeps writing.
  const scan = scanTables(data);
  const { chunks, orphans } = countChunks(data, scan);
  const posting = checkPostings(data);
  const audit = verifyAudit(data);
  // Blobs stream chunk by chunk across turns; they are never rewritten or deleted once complete.
  const badBlobs = await checkBlobs(data, scan);
  for (const blob of badBlobs) {
    noteDamage(scan, blob);
    const line = scan.tables.find((t) => t.table === 'attachments');
    if (line) scan.tables[scan.tables.indexOf(line)] = { ...line, damaged: line.damaged + 1 };
  }
  return {
    ok: scan.damagedCount === 0 && posting.dangling === 0 && audit.ok,
    tables: scan.tables,
    records: scan.records,
    chunks,
    postings: posting.postings,
    damagedCount: scan.damagedCount,
    damaged: scan.damaged,
    danglingPostings: { count: posting.dangling, keys: posting.keys },
    orphanChunks: orphans,
    audit,
  };
}
