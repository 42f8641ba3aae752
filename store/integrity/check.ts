import type { StoreContext } from '../engine/context.ts';
import { StoreError } from '../errors.ts';
import { idOf } from '../engine/ids.ts';
import { openPlain, openRecord } from '../engine/record-seal.ts';
import { ALL_TABLES } from '../tables.ts';

/** Result of decrypting everything: counts and the first few damaged records by name. */
export interface StoreCheck {
  records: number;
  chunks: number;
  damaged: { table: string; recordId: string; code: string }[];
}

/**
 * Decrypts and verifies every record and blob chunk. Used before a restore replaces anything,
 * and by anyone who wants proof that a store (or a backup of it) is whole.
 */
export function checkAllRecords(ctx: StoreContext, maxReported = 20): StoreCheck {
  const result: StoreCheck = { records: 0, chunks: 0, damaged: [] };
  const note = (error: unknown, table: string, recordId: string) => {
    if (result.damaged.length < maxReported)
      result.damaged.push({ table, recordId, code: error instanceof StoreError ? error.code : 'unreadable' });
  };
  for (const def of ALL_TABLES) {
    for (const { key, value } of ctx.dbs.tables[def.name as keyof typeof ctx.dbs.tables].getRange({})) {
      const k = Buffer.from(key);
      const recordId = idOf(def.prefix, k);
      result.records += 1;
      try {
        openRecord(ctx.keyring, def, k, value, recordId);
      } catch (error) {
        note(error, def.name, recordId);
      }
    }
  }
  for (const { key, value } of ctx.dbs.chunks.getRange({})) {
    const k = Buffer.from(key);
    result.chunks += 1;
    try {
      openPlain(ctx.keyring, 'blob-chunk', k, value, k.toString('hex'));
    } catch (error) {
      note(error, 'blob-chunk', k.toString('hex'));
    }
  }
  return result;
}
