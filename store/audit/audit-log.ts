import type { StoreContext, StoreData } from '../engine/context.ts';
import { chainHash, GENESIS } from './audit-chain.ts';
import type { AuditHead } from './audit-chain.ts';
import { decodeCbor } from '../cbor.ts';
import { META } from '../engine/db.ts';
import { StoreError } from '../errors.ts';
import { idOf, keyOfId, seqOf } from '../engine/ids.ts';
import { auditRead } from '../engine/reads.ts';
import { openRecord } from '../engine/record-seal.ts';
import type { AuditBody } from '../schema/audit-entry.ts';
import { TABLES } from '../tables.ts';

/** The outcome of checking the audit chain; `firstBroken` names the first bad link. */
export interface AuditVerdict {
  ok: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
  /**
   * Entries a salvaging restore declared lost (they were damaged in the backup): the chain is
   * checked around them, and the entry after each cannot be linked to it.
   */
  declaredLost?: number[];
}

/** An audit entry as read back, with its id (`u-` and the sequence number in hex). */
export type AuditEntry = AuditBody & { id: string };

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * Sequence numbers that later entries declare lost: a salvaging restore removes the audit entries
 * that no longer open and says so in a `delete` entry on table `audit` naming their ids. Such an
 * entry is itself chained and keyed, so nobody without the store's keys can declare a loss.
 */
function declaredLost(data: StoreData): Map<number, number> {
  const lost = new Map<number, number>();
  for (const { key, value } of data.dbs.tables.audit.getRange({})) {
    const k = Buffer.from(key);
    let body: AuditBody;
    try {
      body = openRecord(data.keyring, TABLES.audit, k, value, idOf(TABLES.audit.prefix, k)).body;
    } catch {
      continue;
    }
    if (body.action !== 'delete' || body.table !== 'audit') continue;
    for (const id of body.recordIds) {
      try {
        const seq = seqOf(keyOfId(TABLES.audit.prefix, id, 'audit'));
        if (seq < body.seq) lost.set(seq, body.seq);
      } catch {
        // Not an audit id: nothing declared.
      }
    }
  }
  return lost;
}

/**
 * Walks the audit log from its first entry and checks every link: consecutive sequence numbers,
 * each entry decrypting and verifying, each `prev` equal to the hash of the entry before, and
 * the last entry matching the chain head (so a cut-off tail is caught too). Entries a salvaging
 * restore declared lost may be missing; the entry after one is accepted without its link.
 */
export function verifyAudit(data: StoreData): AuditVerdict {
  const lost = declaredLost(data);
  let expected = 1;
  let entries = 0;
  let prev: Uint8Array = GENESIS;
  let linked = true;
  const broken = (seq: number, reason: string): AuditVerdict => ({
    ok: false,
    entries,
    firstBroken: { seq, reason },
    ...(lost.size > 0 ? { declaredLost: [...lost.keys()].sort((a, b) => a - b) } : {}),
  });
  // Steps over declared losses up to `seq`; false if a gap before it was not declared.
  const skipLostUntil = (seq: number): boolean => {
    while (expected < seq) {
      if (!lost.has(expected)) return false;
      expected += 1;
      linked = false;
    }
    return true;
  };
  for (const { key, value } of data.dbs.tables.audit.getRange({})) {
    const k = Buffer.from(key);
    const seq = seqOf(k);
    if (!skipLostUntil(seq)) return broken(expected, `entry ${expected} is missing (next present is ${seq})`);
    let body: AuditBody;
    try {
      body = openRecord(data.keyring, TABLES.audit, k, value, idOf(TABLES.audit.prefix, k)).body;
    } catch (error) {
      const why = error instanceof StoreError ? error.code : 'unreadable';
      return broken(seq, `entry ${seq} does not verify (${why})`);
    }
    if (body.seq !== seq) return broken(seq, `entry ${seq} claims sequence ${body.seq}`);
    if (linked && !same(body.prev, prev))
      return broken(seq, `entry ${seq} does not link to entry ${seq - 1}`);
    prev = chainHash(data.keyring, body);
    linked = true;
    entries += 1;
    expected += 1;
  }
  const raw = data.dbs.meta.get(META.auditHead);
  if (raw) {
    const head = decodeCbor(raw, { table: 'meta' }) as AuditHead;
    if (!skipLostUntil(head.seq + 1) || head.seq !== expected - 1)
      return broken(expected, `the log ends at ${expected - 1} but the head says ${head.seq}`);
    if (linked && !same(head.hash, prev))
      return broken(expected - 1, `entry ${expected - 1} does not match the chain head`);
  } else if (expected > 1) return broken(expected - 1, 'the chain head is missing');
  return {
    ok: true,
    entries,
    ...(lost.size > 0 ? { declaredLost: [...lost.keys()].sort((a, b) => a - b) } : {}),
  };
}

/**
 * Audit entries in order, for the CLI and for inspection; damaged entries throw. Reading the log
 * is itself noted in it (who looked at who saw what), as an audited read of table `audit`.
 */
export function readAudit(ctx: StoreContext, from = 1, limit = 1000): AuditEntry[] {
  const out: AuditEntry[] = [];
  const start = Buffer.alloc(8);
  start.writeBigUInt64BE(BigInt(from));
  for (const { key, value } of ctx.dbs.tables.audit.getRange({ start, limit })) {
    const k = Buffer.from(key);
    const id = idOf(TABLES.audit.prefix, k);
    out.push({ ...openRecord(ctx.keyring, TABLES.audit, k, value, id).body, id });
  }
  auditRead(
    ctx,
    'audit',
    out.map((e) => e.id),
  );
  return out;
}
