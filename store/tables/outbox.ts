import type { z } from 'zod';
import type { WriteTx } from '../engine/write-tx.ts';
import type { StoreContext } from '../engine/context.ts';
import { readRecord } from '../engine/context.ts';
import { StoreError } from '../errors.ts';
import { KEY_BYTES, keyOfId } from '../engine/ids.ts';
import { lookupPostings } from '../engine/postings.ts';
import type { OutboxBody, OutboxItem } from '../schema/outbox-item.ts';
import { OutboxInput, OutboxPriority } from '../schema/outbox-item.ts';
import { openRecord } from '../engine/record-seal.ts';
import { TABLES } from '../tables.ts';

const T = 'outbox';
const PREFIX = 'x';
const HASH_TERM = 'outbox.hash';
/** Outbox keys are priority (1 byte) + counter (8 bytes): LMDB order is send order. */
const OUTBOX_KEY_BYTES = 1 + KEY_BYTES;
type Body = z.output<typeof OutboxBody>;

function idOfKey(key: Buffer): string {
  return `${PREFIX}-${key.toString('hex')}`;
}

function shape(key: Buffer, body: Body): OutboxItem {
  return { ...body, id: idOfKey(key) };
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
  const term = tx.keyring.blind(HASH_TERM, contentHash);
  for (const existing of lookupPostings(ctx.dbs.index, term)) {
    // Postings hold the 8-byte counter; the outbox key adds the priority byte in front.
    for (const p of OutboxPriority.options.keys()) {
      const key = Buffer.concat([Buffer.from([p]), existing]);
      const body = readOutbox(ctx, key);
      if (body) return shape(key, body);
    }
  }
  const seqKey = tx.nextKey();
  const key = Buffer.concat([Buffer.from([OutboxPriority.options.indexOf(item.priority)]), seqKey]);
  const body: Body = { ...item, createdAt: tx.now, contentHash };
  tx.putRecord(T, key, body);
  tx.index(term, seqKey);
  tx.audit(ctx.actor, 'create', T, [idOfKey(key)]);
  return shape(key, body);
}

/** A pending outbox item by id; null once acknowledged (or never queued). */
export function readOutboxById(ctx: StoreContext, id: string): OutboxItem | null {
  const key = keyOfId(PREFIX, id, T, OUTBOX_KEY_BYTES);
  const body = readOutbox(ctx, key);
  return body ? shape(key, body) : null;
}

function readOutbox(ctx: StoreContext, key: Buffer): Body | undefined {
  return readRecord(ctx, T, key);
}

/** Pending items in send order: clinical priority first, then age. */
export function peekOutbox(ctx: StoreContext, limit = 100): OutboxItem[] {
  const out: OutboxItem[] = [];
  for (const { key, value } of ctx.dbs.tables.outbox.getRange({ limit })) {
    const k = Buffer.from(key);
    out.push(shape(k, openRecord(ctx.keyring, TABLES.outbox, k, value, idOfKey(k)).body));
  }
  return out;
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
  const key = keyOfId(PREFIX, id, T, OUTBOX_KEY_BYTES);
  return ctx.batcher.enqueue((tx) => {
    const body = readOutbox(ctx, key);
    if (!body) return false;
    ctx.dbs.tables.outbox.removeSync(key);
    tx.unindex(tx.keyring.blind(HASH_TERM, body.contentHash), key.subarray(1));
    tx.audit(ctx.actor, 'ack', T, [id]);
    return true;
  });
}
