import type { z } from 'zod';
import { recordOfClientId, rememberClientId } from '../engine/client-ids.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import { lookupPostings } from '../engine/postings.ts';
import { auditRead, auditedList, getById, readMany, requireRecord } from '../engine/reads.ts';
import type { WriteTx } from '../engine/write-tx.ts';
import { StoreError } from '../errors.ts';
import type { PatientBody, PatientRecord } from '../schema/patient.ts';
import { PatientInput } from '../schema/patient.ts';
import { TABLES } from '../tables.ts';
import { BLIND_TAGS, patientTerms } from './blind-index.ts';
import { MAX_PREFIX, MIN_PREFIX, nameTokens, normaliseDocument, normaliseName } from './name-terms.ts';

const T = 'patients';
const PREFIX = TABLES.patients.prefix;
const TAGS = BLIND_TAGS.patients;
type Body = z.output<typeof PatientBody>;

/** A stored body as the record callers see (with its id). */
export function shape(key: Buffer, body: Body): PatientRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

/** Validates a patient input; `invalid_record` names the bad fields. */
export function parse(input: unknown): z.output<typeof PatientInput> {
  const parsed = PatientInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new StoreError('invalid_record', `Patient is invalid: ${fields}.`, { table: T });
  }
  return parsed.data;
}

/** The blind terms a patient is indexed under: name-word prefixes and document numbers. */
export function termsOf(tx: WriteTx, body: Body): Uint8Array[] {
  return patientTerms(body).map(([tag, value]) => tx.keyring.blind(tag, value));
}

/**
 * Adds a patient, indexed by name prefixes and document numbers (blind terms only). With a
 * client id, a resend of the same creation returns the patient made the first time.
 */
export async function addPatient(
  ctx: StoreContext,
  input: PatientInput,
  clientId?: string,
): Promise<PatientRecord> {
  const valid = parse(input);
  return ctx.batcher.enqueue((tx) => {
    const prior = clientId === undefined ? undefined : recordOfClientId(ctx, tx, TAGS.client, clientId);
    if (prior) return shape(prior, requireRecord(ctx, T, prior));
    const key = tx.nextKey();
    const body: Body = {
      ...valid,
      createdAt: tx.now,
      updatedAt: tx.now,
      ...(clientId === undefined ? {} : { clientId }),
    };
    tx.putRecord(T, key, body, true);
    for (const term of termsOf(tx, body)) tx.index(term, key);
    if (clientId !== undefined) rememberClientId(tx, TAGS.client, clientId, key);
    const record = shape(key, body);
    tx.audit(ctx.actor, 'create', T, [record.id]);
    return record;
  });
}

/** Replaces a patient's fields (the id and creation time stay), re-indexing changed terms. */
export async function updatePatient(
  ctx: StoreContext,
  id: string,
  input: PatientInput,
): Promise<PatientRecord> {
  const key = keyOfId(PREFIX, id, T);
  const valid = parse(input);
  return ctx.batcher.enqueue((tx) => {
    const old = requireRecord(ctx, T, key);
    for (const term of termsOf(tx, old)) tx.unindex(term, key);
    const body: Body = {
      ...valid,
      createdAt: old.createdAt,
      updatedAt: tx.now,
      ...(old.clientId === undefined ? {} : { clientId: old.clientId }),
    };
    tx.putRecord(T, key, body);
    for (const term of termsOf(tx, body)) tx.index(term, key);
    tx.audit(ctx.actor, 'update', T, [id]);
    return shape(key, body);
  });
}

/** One patient by id, or a `not_found` StoreError. */
export function getPatient(ctx: StoreContext, id: string): PatientRecord {
  return getById(ctx, T, id, shape);
}

/**
 * Patients any of whose name words start with the prefix (at least two letters). A prefix of
 * several words must match each word. Longer than the indexed length: refined after decrypting.
 */
export function findPatientsByNamePrefix(
  ctx: StoreContext,
  prefix: string,
  options?: ReadOptions,
): PatientRecord[] {
  const words = normaliseName(prefix).split(' ').filter(Boolean);
  if (words.length === 0 || words.some((w) => [...w].length < MIN_PREFIX)) return [];
  let keys: Buffer[] | undefined;
  for (const w of words) {
    const found = lookupPostings(
      ctx.dbs.index,
      ctx.keyring.blind(TAGS.namePrefix, [...w].slice(0, MAX_PREFIX).join('')),
    );
    const hex = new Set(found.map((k) => k.toString('hex')));
    keys = keys ? keys.filter((k) => hex.has(k.toString('hex'))) : found;
  }
  const out = readMany(ctx, T, keys ?? [], shape, options).filter((p) => {
    const tokens = nameTokens(p.familyName, p.givenName, p.middleName);
    return words.every((w) => tokens.some((t) => t.startsWith(w)));
  });
  return auditedList(ctx, T, out);
}

/**
 * The patient holding a document number, if any (spacing and case do not matter). If no readable
 * patient holds it but a candidate could not be read, that record's StoreError is thrown: "no
 * such patient" would be a guess, and a guess here creates duplicate patients.
 */
export function findPatientByDocument(
  ctx: StoreContext,
  number: string,
  options?: ReadOptions,
): PatientRecord | undefined {
  const wanted = normaliseDocument(number);
  if (!wanted) return undefined;
  const keys = lookupPostings(ctx.dbs.index, ctx.keyring.blind(TAGS.document, wanted));
  const errors: StoreError[] = [];
  const found = readMany(ctx, T, keys, shape, {
    onDamaged: (error) => {
      errors.push(error);
      options?.onDamaged?.(error);
    },
  }).find((p) => p.documents.some((d) => normaliseDocument(d.number) === wanted));
  if (found) auditRead(ctx, T, [found.id]);
  else if (errors[0]) throw errors[0];
  return found;
}
