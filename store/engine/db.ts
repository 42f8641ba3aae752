import { join } from 'node:path';
import type { Database, RootDatabase } from 'lmdb';
import { open } from 'lmdb';
import { DB_FILE } from '../keys/key-file.ts';
import type { TableName } from '../tables.ts';
import { TABLES } from '../tables.ts';

/** A binary-keyed, binary-valued LMDB database: everything the store puts is already sealed. */
export type BinDb = Database<Buffer, Uint8Array>;

/**
 * The LMDB environment and its named databases: one per record table, one for blind index
 * postings, one for blob chunks and one for plaintext bookkeeping (counters, chain head).
 */
export interface Dbs {
  readonly env: RootDatabase<Buffer, Uint8Array>;
  readonly tables: Readonly<Record<TableName, BinDb>>;
  readonly index: BinDb;
  readonly chunks: BinDb;
  readonly meta: BinDb;
}

/**
 * The LMDB map reserved at open: 64 GiB of address space (64-bit Node only reserves it; a resize
 * beyond it still works, at the cost of one lingering map).
 */
const MAP_SIZE = 64 * 2 ** 30;

/**
 * Opens (creating if needed) the LMDB file in a data directory; `readOnly` opens an existing file
 * without ever writing to it (a backup's snapshot being checked).
 */
export function openDatabase(dir: string, options: { readOnly?: boolean } = {}): Dbs {
  const env = open<Buffer, Uint8Array>({
    path: join(dir, DB_FILE),
    ...(options.readOnly ? { readOnly: true } : {}),
    maxDbs: 32,
    encoding: 'binary',
    keyEncoding: 'binary',
    // Never cache: the cache would keep sealed values pinned for nothing and hide other processes' writes.
    cache: false,
    // Classic LMDB commits (fsync inside the commit): measured ~1.6x faster for our batched
    // writes than overlapping sync, and a resolved commit is then durable by itself.
    overlappingSync: false,
    // The write batcher makes our transactions. lmdb-js's own event-turn batching adds an
    // internal commit promise that nothing handles: on a full disk its rejection would be an
    // unhandled rejection and kill the kit (test/kit-full-disk.test.ts).
    eventTurnBatching: false,
    // Address space for the whole file from the start (virtual only: the file still grows page by
    // page). lmdb-js starts with a map the size of the file and, when a write outgrows it, maps
    // the file again at twice the size while keeping the old map for lingering readers until the
    // store closes: every page read before the resize then stays resident twice. An export's read
    // audit outgrew the map at once, which doubled the store's file-backed RSS (bench export).
    mapSize: MAP_SIZE,
  });
  const sub = (name: string): BinDb =>
    env.openDB<Buffer, Uint8Array>({ name, encoding: 'binary', keyEncoding: 'binary', cache: false });
  const tables = Object.fromEntries(Object.keys(TABLES).map((name) => [name, sub(`t:${name}`)])) as Record<
    TableName,
    BinDb
  >;
  return { env, tables, index: sub('index'), chunks: sub('chunks'), meta: sub('meta') };
}

/**
 * Where a store's open databases are kept. `dbs` is replaced when the environment is closed and
 * opened again to let the pages this process mapped go (engine/release-map.ts); everything reads
 * it at the moment of use.
 */
export interface DbsSlot {
  dbs: Dbs;
}

/** Keys of the meta database. */
export const META = {
  seq: Buffer.from('seq'),
  auditHead: Buffer.from('audit-head'),
  format: Buffer.from('format'),
  /** The blind index's layout version (store/integrity/reindex.ts); absent means 1. */
  indexVersion: Buffer.from('index-version'),
} as const;
