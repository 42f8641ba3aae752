import type { z } from 'zod';
import { recordOfClientId, rememberClientId } from '../engine/client-ids.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { auditedList, getById, readByTerm, readMany, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import type { VisitBody, VisitRecord } from '../schema/visit.ts';
import { VisitInput } from '../schema/visit.ts';
import { TABLES } from '../tables.ts';
import { BLIND_TAGS, visitTerms } from './blind-index.ts';

// A table module, and the template for a new one (store/README.md, "How to add a table"): the
// table's name, its prefix and tags from the registries, a shape that adds the id, writes in
// one batcher operation each (put, index, audit), reads through getById and readByTerm.
const T = 'visits';
const PREFIX = TABLES.visits.prefix;
const TAGS = BLIND_TAGS.visits;
type Body = z.output<typeof VisitBody>;

function shape(key: Buffer, body: Body): VisitRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

/**
 * Opens a visit (status `open`), indexed by patient. With a client id, a resend of the same
 * opening returns the visit made the first time.
 */
export async function openVisit(
  ctx: StoreContext,
  input: VisitInput,
  clientId?: string,
): Promise<VisitRecord> {
  const parsed = VisitInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new StoreError('invalid_record', `Visit is invalid: ${fields}.`, { table: T });
  }
  const v = parsed.data;
  return ctx.batcher.enqueue((tx) => {
    const prior = clientId === undefined ? undefined : recordOfClientId(ctx, tx, TAGS.client, clientId);
    if (prior) return shape(prior, requireRecord(ctx, T, prior));
    const key = tx.nextKey();
    const body: Body = {
      patientId: v.patientId,
      ...(v.reason === undefined ? {} : { reason: v.reason }),
      ...(v.place === undefined ? {} : { place: v.place }),
      openedAt: v.openedAt ?? tx.now,
      status: 'open',
      ...(clientId === undefined ? {} : { clientId }),
    };
    tx.putRecord(T, key, body, true);
    // Exactly the terms of visitTerms (blind-index.ts): the index rebuild relies on it.
    for (const [tag, value] of visitTerms(body)) tx.index(tx.blind(tag, value), key);
    if (clientId !== undefined) rememberClientId(tx, TAGS.client, clientId, key);
    const record = shape(key, body);
    tx.audit(ctx.actor, 'create', T, [record.id]);
    return record;
  });
}

/** Closes a visit; closing a closed visit is a no-op that returns it unchanged. */
export async function closeVisit(ctx: StoreContext, id: string): Promise<VisitRecord> {
  const key = keyOfId(PREFIX, id, T);
  return ctx.batcher.enqueue((tx) => {
    const old = requireRecord(ctx, T, key);
    if (old.status === 'closed') return shape(key, old);
    const body: Body = { ...old, status: 'closed', closedAt: tx.now };
    tx.putRecord(T, key, body);
    tx.audit(ctx.actor, 'update', T, [id]);
    return shape(key, body);
  });
}

/** One visit by id, or `not_found`. */
export function getVisit(ctx: StoreContext, id: string): VisitRecord {
  return getById(ctx, T, id, shape);
}

/** Visits of a patient, oldest first. */
export function visitsByPatient(ctx: StoreContext, patientId: string, options?: ReadOptions): VisitRecord[] {
  return readByTerm(ctx, T, TAGS.patient, patientId, shape, options);
}

/**
 * Visits opened in [from, to) (either bound optional), in the order they were created: a scan of
 * the visits table, whose records are small, for exports by shift or since a time. Visits have
 * no time index; a store holds thousands of visits, not millions, so the scan is what it costs.
 */
export function visitsOpenedBetween(
  ctx: StoreContext,
  from: Date | undefined,
  to: Date | undefined,
  options?: ReadOptions,
): VisitRecord[] {
  const lo = from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const hi = to?.getTime() ?? Number.POSITIVE_INFINITY;
  const keys = ctx.dbs.tables[T].getKeys({}) as Iterable<Buffer>;
  const opened = readMany(ctx, T, keys, shape, options).filter((v) => {
    const at = Date.parse(v.openedAt);
    return at >= lo && at < hi;
  });
  return auditedList(ctx, T, opened);
}

/** One page of {@link visitIdsOpenedBetween}: the ids found and where the next page starts. */
export interface VisitIdPage {
  readonly ids: string[];
  /** The last visit scanned (pass as `after`), or undefined when the table is done. */
  readonly next: string | undefined;
}

/**
 * The ids of the visits opened in [from, to), one page of the table scan at a time: up to `limit`
 * visit records after the visit `after`. For a caller that selects over a large store and must not
 * hold every visit record at once, nor map the whole table in one go (an export releases the
 * store's mapped pages between pages).
 */
export function visitIdsOpenedBetween(
  ctx: StoreContext,
  from: Date | undefined,
  to: Date | undefined,
  page: { readonly after?: string | undefined; readonly limit: number },
  options?: ReadOptions,
): VisitIdPage {
  const lo = from?.getTime() ?? Number.NEGATIVE_INFINITY;
  const hi = to?.getTime() ?? Number.POSITIVE_INFINITY;
  // Keys are fixed-width: the key followed by a zero byte sorts right after it, before the next.
  const start =
    page.after === undefined ? undefined : Buffer.concat([keyOfId(PREFIX, page.after, T), Buffer.alloc(1)]);
  const keys = [
    ...(ctx.dbs.tables[T].getKeys(
      start === undefined ? { limit: page.limit } : { start, limit: page.limit },
    ) as Iterable<Buffer>),
  ];
  const opened = readMany(ctx, T, keys, shape, options).filter((v) => {
    const at = Date.parse(v.openedAt);
    return at >= lo && at < hi;
  });
  const last = keys.at(-1);
  return {
    ids: auditedList(ctx, T, opened).map((v) => v.id),
    next: keys.length < page.limit || last === undefined ? undefined : idOf(PREFIX, Buffer.from(last)),
  };
}
