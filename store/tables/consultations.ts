import type { z } from 'zod';
import { recordOfClientId, rememberClientId } from '../engine/client-ids.ts';
import { decodeCbor, encodeCbor } from '../cbor.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { getById, readByTerm, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { TABLES } from '../tables.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { enqueueOutboxInTx, outboxContentHash, readOutboxById } from './outbox.ts';
import type { ConsultationBody, ConsultationRecord } from '../schema/consultation.ts';
import { ConsultationInput } from '../schema/consultation.ts';
import type { OutboxItem } from '../schema/outbox-item.ts';
import type { VisitEntryRecord } from '../schema/visit-entry.ts';
import { BLIND_TAGS, consultationTerms, visitEntryTerms } from './blind-index.ts';
import { ENTRY_TERMS } from './visit-journal.ts';

const T = 'consultations';
const PREFIX = TABLES.consultations.prefix;
const TERMS = BLIND_TAGS.consultations;
/** The outbox kind the link layer picks consultation requests up by. */
export const CONSULTATION_OUTBOX_KIND = 'consultation-request';
type Body = z.output<typeof ConsultationBody>;

function shape(key: Buffer, body: Body): ConsultationRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

/** What creating a request did. `outbox` is null once the link has taken the item off the outbox. */
export interface ConsultationWrite {
  readonly consultation: ConsultationRecord;
  readonly outbox: OutboxItem | null;
  readonly entry: VisitEntryRecord;
  readonly created: boolean;
}

/**
 * Stores a consultation request, queues it on the outbox at its clinical priority (urgent first)
 * and notes it in the visit's journal, all in one commit and once per client id. The outbox
 * payload is CBOR naming what goes with the request; the link resolves and seals it.
 */
export async function createConsultation(
  ctx: StoreContext,
  input: ConsultationInput,
): Promise<ConsultationWrite> {
  const parsed = ConsultationInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new StoreError('invalid_record', `Consultation request is invalid: ${fields}.`, { table: T });
  }
  const c = parsed.data;
  return ctx.batcher.enqueue((tx): ConsultationWrite => {
    const prior = recordOfClientId(ctx, tx, TERMS.client, c.clientId);
    const priorEntry = recordOfClientId(ctx, tx, ENTRY_TERMS.client, c.clientId);
    if (prior && priorEntry) {
      const consultation = shape(prior, requireRecord(ctx, T, prior));
      const entry = {
        ...requireRecord(ctx, 'visitEntries', priorEntry),
        id: idOf(TABLES.visitEntries.prefix, priorEntry),
      };
      return { consultation, outbox: readOutboxById(ctx, consultation.outboxId), entry, created: false };
    }
    const visit = requireRecord(ctx, 'visits', keyOfId(TABLES.visits.prefix, c.visitId, 'visits'));
    if (visit.patientId !== c.patientId)
      throw new StoreError('invalid_record', 'The request names another patient than its visit.', {
        table: T,
      });
    for (const id of c.attachmentIds)
      requireRecord(ctx, 'attachments', keyOfId(TABLES.attachments.prefix, id, 'attachments'));
    for (const id of c.observationIds)
      requireRecord(ctx, 'observations', keyOfId(TABLES.observations.prefix, id, 'observations'));
    const key = tx.nextKey();
    const id = idOf(PREFIX, key);
    const payload = encodeCbor({ v: 1, type: CONSULTATION_OUTBOX_KIND, consultationId: id, ...c });
    const outbox = enqueueOutboxInTx(
      ctx,
      tx,
      { priority: c.urgency, kind: CONSULTATION_OUTBOX_KIND, payload, destination: c.specialty },
      outboxContentHash(ctx, CONSULTATION_OUTBOX_KIND, payload),
    );
    const body: Body = { ...c, outboxId: outbox.id, createdAt: tx.now };
    tx.putRecord(T, key, body, true);
    // Exactly the terms of consultationTerms (blind-index.ts): the index rebuild relies on it.
    for (const [tag, value] of consultationTerms(body)) tx.index(tx.blind(tag, value), key);
    rememberClientId(tx, TERMS.client, c.clientId, key);
    tx.audit(ctx.actor, 'create', T, [id]);
    const entryKey = tx.nextKey();
    const entryBody = {
      visitId: c.visitId,
      clientId: c.clientId,
      author: c.author,
      enteredAt: c.enteredAt,
      kind: 'consultation' as const,
      consultationId: id,
      recordedAt: tx.now,
    };
    tx.putRecord('visitEntries', entryKey, entryBody, true);
    for (const [tag, value] of visitEntryTerms(entryBody)) tx.index(tx.blind(tag, value), entryKey);
    rememberClientId(tx, ENTRY_TERMS.client, c.clientId, entryKey);
    const entry = { ...entryBody, id: idOf(TABLES.visitEntries.prefix, entryKey) };
    tx.audit(ctx.actor, 'create', 'visitEntries', [entry.id]);
    return { consultation: shape(key, body), outbox, entry, created: true };
  });
}

/**
 * What an outbox item of kind {@link CONSULTATION_OUTBOX_KIND} carries, read back from its
 * payload: the request's id and visit. null for another kind or an unreadable payload.
 */
export function consultationOfOutbox(
  kind: string,
  payload: Uint8Array,
): { consultationId: string; visitId: string } | null {
  if (kind !== CONSULTATION_OUTBOX_KIND) return null;
  try {
    const v = decodeCbor(payload, { table: 'outbox' }) as { consultationId?: unknown; visitId?: unknown };
    return typeof v.consultationId === 'string' && typeof v.visitId === 'string'
      ? { consultationId: v.consultationId, visitId: v.visitId }
      : null;
  } catch {
    return null;
  }
}

/** One consultation request, or `not_found`. */
export function getConsultation(ctx: StoreContext, id: string): ConsultationRecord {
  return getById(ctx, T, id, shape);
}

/** A visit's consultation requests, oldest first. */
export function consultationsByVisit(
  ctx: StoreContext,
  visitId: string,
  options?: ReadOptions,
): ConsultationRecord[] {
  return readByTerm(ctx, T, TERMS.visit, visitId, shape, options);
}
