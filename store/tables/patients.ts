import type { z } from 'zod';
import { claimClientId, recordOfClientId } from '../engine/client-ids.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { auditRead, readMany, requireRecord } from '../engine/context.ts';
import { StoreError } from '../errors.ts';
import { idOf, keyOfId } from '../engine/ids.ts';
import {
  MAX_PREFIX,
  MIN_PREFIX,
  nameTokens,
  normaliseDocument,
  normaliseName,
  prefixesOf,
} from './name-terms.ts';
import { lookupPostings } from '../engine/postings.ts';
import type { PatientBody, PatientRecord } from '../schema/patient.ts';
import { PatientInput } from '../schema/patient.ts';
import type { WriteTx } from '../engine/write-tx.ts';

const T = 'patients';
const PREFIX = 'p';
const TERMS = { name: 'pat.name', doc: 'pat.doc', client: 'pat.client' } as const;
type Body = z.output<typeof PatientBody>;

function shape(key: Buffer, body: Body): PatientRecord {
  return { ...body, id: idOf(PREFIX, key) };
}

function parse(input: unknown): z.output<typeof PatientInput> {
  const parsed = PatientInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new StoreError('invalid_record', `Patient is invalid: ${fields}.`, { table: T });
  }
  return parsed.data;
}

function termsOf(tx: WriteTx, body: Body): Uint8Array[] {
  const terms: Uint8Array[] = [];
  for (const word of nameTokens(body.familyName, body.givenName, body.middleName))
    for (const p of prefixesOf(word)) terms.push(tx.keyring.blind(TERMS.name, p));
  for (const d of body.documents) terms.push(tx.keyring.blind(TERMS.doc, normaliseDocument(d.number)));
  return terms;
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
    const prior = clientId === undefined ? undefined : recordOfClientId(ctx, tx, TERMS.client, clientId);
    if (prior) return shape(prior, requireRecord(ctx, T, prior));
    const key = tx.nextKey();
    const body: Body = { ...valid, createdAt: tx.now, updatedAt: tx.now };
    tx.putRecord(T, key, body, true);
    for (const term of termsOf(tx, body)) tx.index(term, key);
    if (clientId !== undefined) claimClientId(tx, TERMS.client, clientId, key);
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
    const body: Body = { ...valid, createdAt: old.createdAt, updatedAt: tx.now };
    tx.putRecord(T, key, body);
    for (const term of termsOf(tx, body)) tx.index(term, key);
    tx.audit(ctx.actor, 'update', T, [id]);
    return shape(key, body);
  });
}

/** One patient by id, or a `not_found` StoreError. */
export function getPatient(ctx: StoreContext, id: string): PatientRecord {
  const key = keyOfId(PREFIX, id, T);
  const record = shape(key, requireRecord(ctx, T, key));
  auditRead(ctx, T, [id]);
  return record;
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
      ctx.keyring.blind(TERMS.name, [...w].slice(0, MAX_PREFIX).join('')),
    );
    const hex = new Set(found.map((k) => k.toString('hex')));
    keys = keys ? keys.filter((k) => hex.has(k.toString('hex'))) : found;
  }
  const out = readMany(ctx, T, keys ?? [], shape, options).filter((p) => {
    const tokens = nameTokens(p.familyName, p.givenName, p.middleName);
    return words.every((w) => tokens.some((t) => t.startsWith(w)));
  });
  auditRead(
    ctx,
    T,
    out.map((p) => p.id),
  );
  return out;
}

/** The patient holding a document number, if any (spacing and case do not matter). */
export function findPatientByDocument(ctx: StoreContext, number: string): PatientRecord | undefined {
  const wanted = normaliseDocument(number);
  if (!wanted) return undefined;
  const keys = lookupPostings(ctx.dbs.index, ctx.keyring.blind(TERMS.doc, wanted));
  const found = readMany(ctx, T, keys, shape).find((p) =>
    p.documents.some((d) => normaliseDocument(d.number) === wanted),
  );
  if (found) auditRead(ctx, T, [found.id]);
  return found;
}
