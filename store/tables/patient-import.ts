import type { z } from 'zod';
import type { StoreContext } from '../engine/context.ts';
import { readRecord, requireRecord } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { lookupPostings } from '../engine/postings.ts';
import type { PatientBody, PatientInput, PatientRecord } from '../schema/patient.ts';
import type { WriteTx } from '../engine/write-tx.ts';
import { normaliseDocument } from './name-terms.ts';
import { TABLES } from '../tables.ts';
import { BLIND_TAGS } from './blind-index.ts';
import { parse, shape, termsOf } from './patients.ts';

const T = 'patients';
const PREFIX = TABLES.patients.prefix;
type Body = z.output<typeof PatientBody>;

/**
 * One step of a patient-list import: a new patient, or new facts for a stored one. An update names
 * the `updatedAt` the importer read, so a patient changed in between (a tablet editing them while
 * the list was being checked) fails the import instead of being overwritten.
 */
export type PatientImportOp =
  | { readonly kind: 'create'; readonly input: PatientInput }
  | { readonly kind: 'update'; readonly id: string; readonly basedOn: string; readonly input: PatientInput };

/** What an import wrote, in the order of its operations. */
export interface PatientImportResult {
  readonly created: PatientRecord[];
  readonly updated: PatientRecord[];
}

function documentHolder(ctx: StoreContext, tx: WriteTx, number: string): Buffer | undefined {
  const wanted = normaliseDocument(number);
  for (const key of lookupPostings(tx.dbs.index, tx.keyring.blind(BLIND_TAGS.patients.document, wanted))) {
    const body = readRecord(ctx, T, key);
    if (body?.documents.some((d) => normaliseDocument(d.number) === wanted)) return key;
  }
  return undefined;
}

function refuseHeldDocuments(
  ctx: StoreContext,
  tx: WriteTx,
  claimed: Set<string>,
  at: number,
  body: Body,
  self?: Buffer,
): void {
  for (const d of body.documents) {
    // Postings of this transaction are written at its end: documents claimed by earlier steps
    // of the same import are tracked here.
    const n = normaliseDocument(d.number);
    if (claimed.has(n))
      throw new StoreError('conflict', `Import step ${at + 1}: a ${d.kind} document appears twice.`, {
        table: T,
      });
    claimed.add(n);
    const holder = documentHolder(ctx, tx, d.number);
    if (holder && !(self && holder.equals(self)))
      throw new StoreError(
        'conflict',
        `Import step ${at + 1}: a ${d.kind} document is already held by patient ${idOf(PREFIX, holder)}.`,
        { table: T, recordId: idOf(PREFIX, holder) },
      );
  }
}

/**
 * Applies a whole import in one transaction: every step is written or none is. Checked again
 * inside the transaction, so a concurrent writer cannot slip a duplicate in: a created patient's
 * documents must be held by nobody, an updated patient must be as the importer read it.
 */
export async function importPatients(
  ctx: StoreContext,
  ops: readonly PatientImportOp[],
): Promise<PatientImportResult> {
  const valid = ops.map((op, i) => {
    try {
      return parse(op.input);
    } catch (error) {
      if (error instanceof StoreError)
        throw new StoreError('invalid_record', `Import step ${i + 1}: ${error.message}`, { table: T });
      throw error;
    }
  });
  const keys = ops.map((op) => (op.kind === 'update' ? keyOfId(PREFIX, op.id, T) : undefined));
  return ctx.batcher.enqueue((tx) => {
    const created: PatientRecord[] = [];
    const updated: PatientRecord[] = [];
    const claimed = new Set<string>();
    ops.forEach((op, i) => {
      const input = valid[i]!;
      const oldKey = keys[i];
      if (op.kind === 'create' || oldKey === undefined) {
        const body: Body = { ...input, createdAt: tx.now, updatedAt: tx.now };
        refuseHeldDocuments(ctx, tx, claimed, i, body);
        const key = tx.nextKey();
        tx.putRecord(T, key, body, true);
        for (const term of termsOf(tx, body)) tx.index(term, key);
        created.push(shape(key, body));
        return;
      }
      const old = requireRecord(ctx, T, oldKey);
      if (old.updatedAt !== op.basedOn)
        throw new StoreError(
          'conflict',
          `Import step ${i + 1}: patient ${op.id} changed since it was read.`,
          {
            table: T,
            recordId: op.id,
          },
        );
      const body: Body = { ...input, createdAt: old.createdAt, updatedAt: tx.now };
      refuseHeldDocuments(ctx, tx, claimed, i, body, oldKey);
      for (const term of termsOf(tx, old)) tx.unindex(term, oldKey);
      tx.putRecord(T, oldKey, body);
      for (const term of termsOf(tx, body)) tx.index(term, oldKey);
      updated.push(shape(oldKey, body));
    });
    if (created.length > 0)
      tx.audit(
        ctx.actor,
        'create',
        T,
        created.map((p) => p.id),
      );
    if (updated.length > 0)
      tx.audit(
        ctx.actor,
        'update',
        T,
        updated.map((p) => p.id),
      );
    return { created, updated };
  });
}
