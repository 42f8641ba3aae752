import type { z } from 'zod';
import { claimClientId, recordOfClientId } from '../engine/client-ids.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { auditRead, readByTerm, requireRecord } from '../engine/context.ts';
import { StoreError } from '../errors.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import type { VisitBody, VisitRecord } from '../schema/visit.ts';
import { VisitInput } from '../schema/visit.ts';

const T = 'visits';
const PREFIX = 'v';
const PATIENT_TERM = 'visit.patient';
const CLIENT_TERM = 'visit.client';
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
    const prior = clientId === undefined ? undefined : recordOfClientId(ctx, tx, CLIENT_TERM, clientId);
    if (prior) return shape(prior, requireRecord(ctx, T, prior));
    const key = tx.nextKey();
    const body: Body = {
      patientId: v.patientId,
      ...(v.reason === undefined ? {} : { reason: v.reason }),
      ...(v.place === undefined ? {} : { place: v.place }),
      openedAt: v.openedAt ?? tx.now,
      status: 'open',
    };
    tx.putRecord(T, key, body, true);
    if (v.patientId !== null) tx.index(tx.keyring.blind(PATIENT_TERM, v.patientId), key);
    if (clientId !== undefined) claimClientId(tx, CLIENT_TERM, clientId, key);
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
  const key = keyOfId(PREFIX, id, T);
  const record = shape(key, requireRecord(ctx, T, key));
  auditRead(ctx, T, [id]);
  return record;
}

/** Visits of a patient, oldest first. */
export function visitsByPatient(ctx: StoreContext, patientId: string, options?: ReadOptions): VisitRecord[] {
  return readByTerm(ctx, T, PATIENT_TERM, patientId, shape, options);
}
