import type { StoreContext, StoreData } from '../engine/context.ts';
import { META } from '../engine/db.ts';
import { idOf } from '../engine/ids.ts';
import { PostingBuffer } from '../engine/postings.ts';
import { openRecord } from '../engine/record-seal.ts';
import type { TableName } from '../tables.ts';
import { ALL_TABLES } from '../tables.ts';
import { isDamage } from './damage.ts';

/**
 * Version of the blind index's layout. 1: tags named per module (`obs.visit`, `pat.name`, ...).
 * 2: tags from the one registry, `<table>.<field>` (store/tables/blind-index.ts). A store whose
 * index is older is re-indexed when opened.
 */
export const INDEX_VERSION = 2;

/** Records indexed per posting entry during a rebuild (bounds memory on a large store). */
const FLUSH_EVERY = 10_000;

function indexVersion(data: StoreData): number {
  const raw = data.dbs.meta.get(META.indexVersion);
  return raw && raw.byteLength === 4 ? Buffer.from(raw).readUInt32BE(0) : 1;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * Rebuilds the blind index from the records, inside the caller's write transaction: every
 * posting is removed, then every readable record of every indexed table is indexed under the
 * terms its table declares (`TABLES[...].index.terms`). Records that do not open are left out
 * (the store check names them). Returns how many records were indexed.
 */
export function rebuildIndex(data: StoreData): number {
  for (const key of [...data.dbs.index.getKeys({})]) data.dbs.index.removeSync(key);
  const buffer = new PostingBuffer();
  // Terms are memoised per flush, so a visit's readings share one term object (the buffer groups
  // postings by term identity).
  let memo = new Map<string, Uint8Array>();
  let pending = 0;
  let indexed = 0;
  for (const def of ALL_TABLES) {
    const index = def.index;
    if (!index) continue;
    for (const { key, value } of data.dbs.tables[def.name as TableName].getRange({})) {
      const k = Buffer.from(key);
      let body: unknown;
      try {
        body = openRecord(data.keyring, def, k, value, idOf(def.prefix, k)).body;
      } catch (error) {
        if (isDamage(error)) continue;
        throw error;
      }
      const posted = index.postingKey ? Buffer.from(index.postingKey(k)) : k;
      for (const [tag, text] of index.terms(body)) {
        const memoKey = `${tag}\u0000${text}`;
        let term = memo.get(memoKey);
        if (!term) {
          term = data.keyring.blind(tag, text);
          memo.set(memoKey, term);
        }
        buffer.add(term, posted);
      }
      indexed += 1;
      if (++pending >= FLUSH_EVERY) {
        buffer.write(data.dbs.index);
        memo = new Map();
        pending = 0;
      }
    }
  }
  buffer.write(data.dbs.index);
  data.dbs.meta.putSync(META.indexVersion, u32(INDEX_VERSION));
  return indexed;
}

/**
 * Brings an opened store's blind index to {@link INDEX_VERSION}, rebuilding it in one write
 * transaction if it is older (checked again inside the transaction: of two processes opening an
 * old store, the second finds it done). A new store just records the version.
 */
export async function ensureIndexVersion(ctx: StoreContext): Promise<void> {
  if (indexVersion(ctx) === INDEX_VERSION) return;
  await ctx.batcher.enqueue(() => {
    if (indexVersion(ctx) !== INDEX_VERSION) rebuildIndex(ctx);
  });
}
