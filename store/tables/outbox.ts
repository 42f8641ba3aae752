import type { z } from 'zod';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import type { WriteTx } from '../engine/write-tx.ts';
import { lookupPostings } from '../engine/postings.ts';
import { auditedList, getById, readMany, readRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import type { OutboxBody, OutboxItem } from '../schema/outbox-item.ts';
import { OutboxInput, OutboxPriority } from '../schema/outbox-item.ts';
import { TABLES } from '../tables.ts';
import { BLIND_TAGS } from './blind-index.ts';

const T = 'outbox';
const { prefix: PREFIX, keyBytes: KEY_BYTES } = TABLES.outbox;
const TAGS = BLIND_TAGS.outbox;
type Body = z.output<typeof OutboxBody>;

function shape(key: Buffer, body: Body): OutboxItem {
  return { ...body, id: idOf(PREFIX, key) };
}

/** The content hash an outbox item is deduplicated by (kind and payload). */
export function outboxContentHash(ctx: StoreContext, kind: string, payload: Uint8Array): string {
  return Buffer.from(
    ctx.keyring.backend.hash(Buffer.concat([Buffer.from(`${kind}\u0000`), payload]), 32),
  ).toString('hex');
}

/**
 * Queues an item for the link, durable once the promise resolves. Idempotent by content hash:
 * enqueueing the same kind + payload again while the first is pending returns the first.
 */
export async function enqueueOutbox(ctx: StoreContext, input: OutboxInput): Promise<OutboxItem> {
  const parsed = OutboxInput.safeParse(input);
  if (!parsed.success) throw new StoreError('invalid_record', 'Outbox item is invalid.', { table: T });
  const item = parsed.data;
  const contentHash = outboxContentHash(ctx, item.kind, item.payload);
  return ctx.batcher.enqueue((tx) => enqueueOutboxInTx(ctx, tx, item, contentHash));
}

/**
 * The body of {@link enqueueOutbox} inside a caller's transaction, for records that must be
 * queued in the same commit as they are written (a consultation request and its outbox item).
 */
export function enqueueOutboxInTx(
  ctx: StoreContext,
  tx: WriteTx,
  item: z.output<typeof OutboxInput>,
  contentHash: string,
): OutboxItem {
  // Exactly the terms of outboxTerms (blind-index.ts): the index rebuild relies on it.
  const term = tx.keyring.blind(TAGS.contentHash, contentHash);
  for (const existing of lookupPostings(ctx.dbs.index, term)) {
    // Postings hold the 8-byte counter; the outbox key adds the priority byte in front.
    for (const p of OutboxPriority.options.keys()) {
      const key = Buffer.concat([Buffer.from([p]), existing]);
      const body = readRecord(ctx, T, key);
      if (body) return shape(key, body);
    }
  }
  const seqKey = tx.nextKey();
  const key = Buffer.concat([Buffer.from([OutboxPriority.options.indexOf(item.priority)]), seqKey]);
  const body: Body = { ...item, createdAt: tx.now, contentHash };
  tx.putRecord(T, key, body);
  tx.index(term, seqKey);
  const record = shape(key, body);
  tx.audit(ctx.actor, 'create', T, [record.id]);
  return record;
}

/** A pending outbox item by id, read without an audit entry; null once acknowledged (or never queued). */
export function readOutboxById(ctx: StoreContext, id: string): OutboxItem | null {
  const key = keyOfId(PREFIX, id, T, KEY_BYTES);
  const body = readRecord(ctx, T, key);
  return body ? shape(key, body) : null;
}

/**
 * Pending items in send order: clinical priority first, then age. A damaged item is skipped and
 * reported (see `ReadOptions`), so one bad record never stops the link. The read is audited.
 */
export function peekOutbox(ctx: StoreContext, limit = 100, options?: ReadOptions): OutboxItem[] {
  const keys = ctx.dbs.tables.outbox.getKeys({ limit });
  return auditedList(ctx, T, readMany(ctx, T, keys, shape, options));
}

/** One pending item by id (an audited read), or `not_found`. */
export function getOutboxItem(ctx: StoreContext, id: string): OutboxItem {
  return getById(ctx, T, id, shape);
}

/** Number of pending items. */
export function outboxSize(ctx: StoreContext): number {
  return ctx.dbs.tables.outbox.getCount();
}

/**
 * Removes an acknowledged item exactly once: true if this call removed it, false if it was
 * already gone (a duplicate or late acknowledgement never removes anything else).
 */
export async function ackOutbox(ctx: StoreContext, id: string): Promise<boolean> {
  const key = keyOfId(PREFIX, id, T, KEY_BYTES);
  return ctx.batcher.enqueue((tx) => {
    const body = readRecord(ctx, T, key);
    if (!body) return false;
    ctx.dbs.tables.outbox.removeSync(key);
    tx.unindex(tx.keyring.blind(TAGS.contentHash, body.contentHash), key.subarray(1));
    tx.audit(ctx.actor, 'ack', T, [id]);
    return true;
  });
}
