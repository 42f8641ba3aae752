import type { StoreContext } from '../engine/context.ts';
import { chainHash, GENESIS } from './audit-chain.ts';
import type { AuditHead } from './audit-chain.ts';
import { decodeCbor } from '../cbor.ts';
import { META } from '../engine/db.ts';
import { StoreError } from '../errors.ts';
import { idOf, seqOf } from '../engine/ids.ts';
import { openRecord } from '../engine/record-seal.ts';
import type { AuditBody } from '../schema/audit-entry.ts';
import { TABLES } from '../tables.ts';

/** The outcome of checking the audit chain; `firstBroken` names the first bad link. */
export interface AuditVerdict {
  ok: boolean;
  entries: number;
  firstBroken?: { seq: number; reason: string };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.compare(a, b) === 0;
}

/**
 * Walks the audit log from its first entry and checks every link: consecutive sequence numbers,
 * each entry decrypting and verifying, each `prev` equal to the hash of the entry before, and
 * the last entry matching the chain head (so a cut-off tail is caught too).
 */
export function verifyAudit(ctx: StoreContext): AuditVerdict {
  let expected = 1;
  let prev: Uint8Array = GENESIS;
  const broken = (seq: number, reason: string): AuditVerdict => ({
    ok: false,
    entries: expected - 1,
    firstBroken: { seq, reason },
  });
  for (const { key, value } of ctx.dbs.tables.audit.getRange({})) {
    const k = Buffer.from(key);
    const seq = seqOf(k);
    if (seq !== expected) return broken(expected, `entry ${expected} is missing (next present is ${seq})`);
    let body: AuditBody;
    try {
      body = openRecord(ctx.keyring, TABLES.audit, k, value, idOf(TABLES.audit.prefix, k)).body;
    } catch (error) {
      const why = error instanceof StoreError ? error.code : 'unreadable';
      return broken(seq, `entry ${seq} does not verify (${why})`);
    }
    if (body.seq !== seq) return broken(seq, `entry ${seq} claims sequence ${body.seq}`);
    if (!same(body.prev, prev)) return broken(seq, `entry ${seq} does not link to entry ${seq - 1}`);
    prev = chainHash(ctx.keyring, body);
    expected += 1;
  }
  const raw = ctx.dbs.meta.get(META.auditHead);
  if (raw) {
    const head = decodeCbor(raw, { table: 'meta' }) as AuditHead;
    if (head.seq !== expected - 1)
      return broken(expected, `the log ends at ${expected - 1} but the head says ${head.seq}`);
    if (!same(head.hash, prev))
      return broken(expected - 1, `entry ${expected - 1} does not match the chain head`);
  } else if (expected > 1) return broken(expected - 1, 'the chain head is missing');
  return { ok: true, entries: expected - 1 };
}

/** Audit entries in order (for the CLI and for inspection); damaged entries throw. */
export function readAudit(ctx: StoreContext, from = 1, limit = 1000): (AuditBody & { id: string })[] {
  const out: (AuditBody & { id: string })[] = [];
  const start = Buffer.alloc(8);
  start.writeBigUInt64BE(BigInt(from));
  for (const { key, value } of ctx.dbs.tables.audit.getRange({ start, limit })) {
    const k = Buffer.from(key);
    const id = idOf(TABLES.audit.prefix, k);
    out.push({ ...openRecord(ctx.keyring, TABLES.audit, k, value, id).body, id });
  }
  return out;
}
