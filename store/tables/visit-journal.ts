import type { z } from 'zod';
import { recordOfClientId, rememberClientId } from '../engine/client-ids.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { readByTerm, readRecord, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { TABLES } from '../tables.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { lookupPostings } from '../engine/postings.ts';
import { BLIND_TAGS, keptValue, observationTerms, visitEntryTerms } from './blind-index.ts';
import { parseObservations } from './observations.ts';
import type { ObservationInput, ObservationRecord } from '../schema/observation.ts';
import type { VisitEntryBody, VisitEntryRecord } from '../schema/visit-entry.ts';
import { VisitEntryInput } from '../schema/visit-entry.ts';
import type { WriteTx } from '../engine/write-tx.ts';

const T = 'visitEntries';
const PREFIX = TABLES.visitEntries.prefix;
/** Blind-index tags of the visit journal. */
export const ENTRY_TERMS = BLIND_TAGS.visitEntries;
type Body = z.output<typeof VisitEntryBody>;

function shape(key: Buffer, body: Body): VisitEntryRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

/** What a journal write did: the entry (new or the one made earlier by the same client id). */
export interface JournalWrite {
  readonly entry: VisitEntryRecord;
  /** The manual entry's observation, written in the same commit; null for other kinds. */
  readonly observation: ObservationRecord | null;
  /** false when the client id (or, for a kept reading, the same reading) was already stored. */
  readonly created: boolean;
}

function invalid(message: string): StoreError {
  return new StoreError('invalid_record', message, { table: T });
}

function parse(input: VisitEntryInput, observation: ObservationInput | undefined) {
  const parsed = VisitEntryInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw invalid(`Visit entry is invalid: ${fields}.`);
  }
  const entry = parsed.data;
  const needs: Record<typeof entry.kind, boolean> = {
    complaints: entry.text !== undefined,
    note: entry.text !== undefined && entry.text.trim().length > 0,
    keep: entry.observationId !== undefined,
    manual: observation !== undefined && entry.observationId === undefined,
    attachment: entry.attachmentId !== undefined,
    consultation: entry.consultationId !== undefined,
  };
  if (!needs[entry.kind]) throw invalid(`Visit entry of kind ${entry.kind} lacks what that kind carries.`);
  if (entry.kind !== 'manual' && observation !== undefined)
    throw invalid('Only a manual entry carries an observation.');
  const [obs] = observation === undefined ? [] : parseObservations([observation]);
  if (obs && obs.visitId !== entry.visitId) throw invalid('A manual observation must belong to its visit.');
  return { entry, obs };
}

/** The entry a client id already made, with its observation (for a resend). */
function existing(ctx: StoreContext, key: Buffer): JournalWrite {
  const entry = shape(key, requireRecord(ctx, T, key));
  let observation: ObservationRecord | null = null;
  if (entry.kind === 'manual' && entry.observationId) {
    const okey = keyOfId(TABLES.observations.prefix, entry.observationId, 'observations');
    const body = readRecord(ctx, 'observations', okey);
    if (body) observation = { ...body, id: entry.observationId };
  }
  return { entry, observation, created: false };
}

/**
 * Appends to a visit's journal, exactly once per client id. A manual entry's observation is
 * written in the same commit as its entry, so a resend after a lost answer can never store the
 * value twice; a reading kept twice in one visit (two tablets, one tap each) is kept once. The
 * visit must exist; a closed visit still takes entries, so nothing typed offline is lost.
 */
export async function addVisitEntry(
  ctx: StoreContext,
  input: VisitEntryInput,
  observation?: ObservationInput,
): Promise<JournalWrite> {
  const { entry, obs } = parse(input, observation);
  return ctx.batcher.enqueue((tx): JournalWrite => {
    const prior = recordOfClientId(ctx, tx, ENTRY_TERMS.client, entry.clientId);
    if (prior) return existing(ctx, prior);
    requireRecord(ctx, 'visits', keyOfId(TABLES.visits.prefix, entry.visitId, 'visits'));
    if (entry.kind === 'keep') {
      const kept = requireRecord(
        ctx,
        'observations',
        keyOfId(TABLES.observations.prefix, entry.observationId!, 'observations'),
      );
      if (kept.visitId !== null && kept.visitId !== entry.visitId)
        throw invalid('That reading belongs to another visit.');
      const keepTerm = tx.blind(ENTRY_TERMS.keep, keptValue(entry.visitId, entry.observationId!));
      const [already] = lookupPostings(ctx.dbs.index, keepTerm);
      if (already) return existing(ctx, already);
    }
    if (entry.kind === 'attachment')
      requireRecord(
        ctx,
        'attachments',
        keyOfId(TABLES.attachments.prefix, entry.attachmentId!, 'attachments'),
      );
    let written: ObservationRecord | null = null;
    if (obs) written = putObservation(ctx, tx, obs);
    const key = tx.nextKey();
    const body: Body = { ...entry, ...(written ? { observationId: written.id } : {}), recordedAt: tx.now };
    tx.putRecord(T, key, body, true);
    // Exactly the terms of visitEntryTerms (blind-index.ts): the index rebuild relies on it.
    for (const [tag, value] of visitEntryTerms(body)) tx.index(tx.blind(tag, value), key);
    rememberClientId(tx, ENTRY_TERMS.client, entry.clientId, key);
    const record = shape(key, body);
    tx.audit(ctx.actor, 'create', T, [record.id]);
    return { entry: record, observation: written, created: true };
  });
}

/** Writes one validated observation inside a journal transaction (same indexes as the pipeline's). */
function putObservation(
  ctx: StoreContext,
  tx: WriteTx,
  input: ReturnType<typeof parseObservations>[number],
): ObservationRecord {
  const key = tx.nextKey();
  const body = { ...input, recordedAt: tx.now };
  tx.putRecord('observations', key, body, true);
  for (const [tag, value] of observationTerms(body)) tx.index(tx.blind(tag, value), key);
  const record = { ...body, id: idOf(TABLES.observations.prefix, key) };
  tx.audit(ctx.actor, 'create', 'observations', [record.id]);
  return record;
}

/** A visit's journal, oldest first. */
export function visitEntries(ctx: StoreContext, visitId: string, options?: ReadOptions): VisitEntryRecord[] {
  return readByTerm(ctx, T, ENTRY_TERMS.visit, visitId, shape, options);
}
