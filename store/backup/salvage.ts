import { decodeCbor } from '../cbor.ts';
import type { AuditHead } from '../audit/audit-chain.ts';
import type { StoreContext } from '../engine/context.ts';
import { META } from '../engine/db.ts';
import { KEY_BYTES, idOf, idOfSeq, seqOf } from '../engine/ids.ts';
import { openRecord } from '../engine/record-seal.ts';
import type { DamagedRecord } from '../integrity/damage.ts';
import { isDamage } from '../integrity/damage.ts';
import { rebuildIndex } from '../integrity/reindex.ts';
import type { AttachmentBody } from '../schema/attachment.ts';
import type { TableName } from '../tables.ts';
import { ALL_TABLES, TABLES } from '../tables.ts';
import { blobPlaintext } from '../tables/attachments.ts';
import type { z } from 'zod';

type AttachmentMeta = z.output<typeof AttachmentBody>;

/** Readable attachments whose blob is incomplete or altered (checked before the transaction). */
async function damagedBlobs(ctx: StoreContext): Promise<Map<string, DamagedRecord>> {
  const bad = new Map<string, DamagedRecord>();
  for (const { key, value } of ctx.dbs.tables.attachments.getRange({})) {
    const k = Buffer.from(key);
    const id = idOf(TABLES.attachments.prefix, k);
    let meta: AttachmentMeta;
    try {
      meta = openRecord(ctx.keyring, TABLES.attachments, k, value, id).body;
    } catch {
      continue; // an unreadable record: removed with the other damaged records
    }
    try {
      for await (const piece of blobPlaintext(ctx, id, meta)) void piece;
    } catch (error) {
      if (!isDamage(error)) throw error;
      bad.set(id, { table: 'attachments', id, code: error.code });
    }
  }
  return bad;
}

/**
 * Makes a damaged store whole by giving up what cannot be read, in one write transaction:
 * records that do not open are removed, so are attachments whose blob is incomplete or altered
 * (with their chunks), chunks that belong to no readable blob, and the blind index is rebuilt
 * from the records that remain (no posting points to a removed record). Audit entries that are
 * damaged or missing are removed and declared lost, so the chain verifies around them. Every
 * loss is written to the audit log as a `delete` entry per table naming the records. Returns
 * the records lost. Used by `restore --salvage` on the staging copy, never on a live store.
 */
export async function salvageStore(ctx: StoreContext): Promise<DamagedRecord[]> {
  const badBlobs = await damagedBlobs(ctx);
  return ctx.batcher.enqueue((tx) => {
    const lost: DamagedRecord[] = [];
    const keptBlobs = new Map<string, number>();
    for (const def of ALL_TABLES) {
      const db = ctx.dbs.tables[def.name as TableName];
      for (const { key, value } of [...db.getRange({})]) {
        const k = Buffer.from(key);
        const id = idOf(def.prefix, k);
        let body: unknown;
        try {
          body = openRecord(ctx.keyring, def, k, value, id).body;
        } catch (error) {
          if (!isDamage(error)) throw error;
          lost.push({ table: def.name, id, code: error.code });
          db.removeSync(k);
          continue;
        }
        if (def !== TABLES.attachments) continue;
        const blob = badBlobs.get(id);
        if (blob) {
          lost.push(blob);
          db.removeSync(k);
        } else keptBlobs.set(id, (body as AttachmentMeta).chunkCount);
      }
    }
    for (const key of [...ctx.dbs.chunks.getKeys({})]) {
      const k = Buffer.from(key);
      const count = keptBlobs.get(idOf(TABLES.attachments.prefix, k.subarray(0, KEY_BYTES)));
      const whole =
        k.byteLength === KEY_BYTES + 4 && count !== undefined && k.readUInt32BE(KEY_BYTES) < count;
      if (!whole) ctx.dbs.chunks.removeSync(k);
    }
    // Audit entries the head counts but that are gone (or were just removed as damaged).
    const raw = ctx.dbs.meta.get(META.auditHead);
    const headSeq = raw ? (decodeCbor(raw, { table: 'meta' }) as AuditHead).seq : 0;
    const present = new Set<number>();
    for (const key of ctx.dbs.tables.audit.getKeys({})) present.add(seqOf(key));
    const lostAudit = new Set(lost.filter((r) => r.table === 'audit').map((r) => r.id));
    for (let seq = 1; seq <= headSeq; seq++) {
      const id = idOfSeq(TABLES.audit.prefix, seq);
      if (!present.has(seq) && !lostAudit.has(id)) lost.push({ table: 'audit', id, code: 'not_found' });
    }
    rebuildIndex(ctx);
    const byTable = new Map<string, string[]>();
    for (const r of lost) {
      const ids = byTable.get(r.table) ?? [];
      ids.push(r.id);
      byTable.set(r.table, ids);
    }
    for (const [table, ids] of byTable) tx.audit(ctx.actor, 'delete', table, ids);
    return lost;
  });
}
