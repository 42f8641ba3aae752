import type { z } from 'zod';
import type { AttachmentBody } from '../schema/attachment.ts';
import type { InstrumentBody } from '../schema/instrument.ts';
import type { ConsultationBody } from '../schema/consultation.ts';
import type { OutboxBody } from '../schema/outbox-item.ts';
import type { PatientBody } from '../schema/patient.ts';
import type { TabletBody } from '../schema/tablet.ts';
import type { ObservationBody } from '../schema/stored-observation.ts';
import type { VisitBody } from '../schema/visit.ts';
import type { VisitEntryBody } from '../schema/visit-entry.ts';
import { nameTokens, normaliseDocument, prefixesOf } from './name-terms.ts';

/**
 * Every blind-index tag of the store, in one place and one naming scheme: `<table>.<field>`,
 * kebab-case. A tag is the domain of a keyed hash (`tag \0 value`), so the strings are part of
 * the on-disk format: a store written under other tags has its index rebuilt when it is opened
 * (see `INDEX_VERSION` in store/integrity/reindex.ts).
 */
export const BLIND_TAGS = {
  observations: {
    visit: 'observations.visit',
    patient: 'observations.patient',
    hour: 'observations.hour',
  },
  patients: { namePrefix: 'patients.name-prefix', document: 'patients.document', client: 'patients.client' },
  visits: { patient: 'visits.patient', client: 'visits.client' },
  attachments: { visit: 'attachments.visit', client: 'attachments.client' },
  instruments: { address: 'instruments.address' },
  outbox: { contentHash: 'outbox.content-hash' },
  visitEntries: { visit: 'visitEntries.visit', client: 'visitEntries.client', keep: 'visitEntries.keep' },
  consultations: { visit: 'consultations.visit', client: 'consultations.client' },
  tablets: { codeHash: 'tablets.code-hash', tokenHash: 'tablets.token-hash' },
} as const;

/** A (tag, value) pair a record is indexed under. */
export type BlindTerm = readonly [tag: string, value: string];

/** The hour bucket an observation is indexed under for time lookups (UTC, `YYYY-MM-DDTHH`). */
export function hourBucket(iso: string): string {
  // Fast path for the common UTC form; other offsets are normalised through Date.
  if (iso.length >= 20 && iso.endsWith('Z') && iso[10] === 'T') return iso.slice(0, 13);
  return new Date(iso).toISOString().slice(0, 13);
}

/**
 * Whether `hourBucket(iso)` is `bucket`, without making the bucket string when `iso` is in the
 * common UTC form (checked once per reading written, against the previous reading's hour).
 */
export function inHourBucket(iso: string, bucket: string): boolean {
  if (iso.length >= 20 && iso.endsWith('Z') && iso[10] === 'T')
    return bucket.length === 13 && iso.startsWith(bucket);
  return hourBucket(iso) === bucket;
}

/** What an observation is indexed under: its visit and patient (when known) and its hour. */
export function observationTerms(body: z.output<typeof ObservationBody>): BlindTerm[] {
  const tags = BLIND_TAGS.observations;
  const terms: BlindTerm[] = [];
  if (body.visitId !== null) terms.push([tags.visit, body.visitId]);
  if (body.patientId !== null) terms.push([tags.patient, body.patientId]);
  terms.push([tags.hour, hourBucket(body.effectiveAt)]);
  return terms;
}

/** What a patient is indexed under: every name word's prefixes and every document number. */
export function patientTerms(body: z.output<typeof PatientBody>): BlindTerm[] {
  const tags = BLIND_TAGS.patients;
  const terms: BlindTerm[] = [];
  for (const word of nameTokens(body.familyName, body.givenName, body.middleName))
    for (const p of prefixesOf(word)) terms.push([tags.namePrefix, p]);
  for (const d of body.documents) terms.push([tags.document, normaliseDocument(d.number)]);
  if (body.clientId !== undefined) terms.push([tags.client, body.clientId]);
  return terms;
}

/** What a visit is indexed under: its patient, when known, and the client id that opened it. */
export function visitTerms(body: z.output<typeof VisitBody>): BlindTerm[] {
  const tags = BLIND_TAGS.visits;
  const terms: BlindTerm[] = [];
  if (body.patientId !== null) terms.push([tags.patient, body.patientId]);
  if (body.clientId !== undefined) terms.push([tags.client, body.clientId]);
  return terms;
}

/** What an attachment is indexed under: its visit, when known, and the client id that sent it. */
export function attachmentTerms(body: z.output<typeof AttachmentBody>): BlindTerm[] {
  const tags = BLIND_TAGS.attachments;
  const terms: BlindTerm[] = [];
  if (body.visitId !== null) terms.push([tags.visit, body.visitId]);
  if (body.clientId !== undefined) terms.push([tags.client, body.clientId]);
  return terms;
}

/** The keep term's value: one reading kept once per visit, whichever tablet taps first. */
export function keptValue(visitId: string, observationId: string): string {
  return `${visitId}\u0000${observationId}`;
}

/** What a journal entry is indexed under: its visit, its client id, and a kept reading. */
export function visitEntryTerms(body: z.output<typeof VisitEntryBody>): BlindTerm[] {
  const tags = BLIND_TAGS.visitEntries;
  const terms: BlindTerm[] = [
    [tags.visit, body.visitId],
    [tags.client, body.clientId],
  ];
  if (body.kind === 'keep' && body.observationId !== undefined)
    terms.push([tags.keep, keptValue(body.visitId, body.observationId)]);
  return terms;
}

/** What a consultation request is indexed under: its visit and its client id. */
export function consultationTerms(body: z.output<typeof ConsultationBody>): BlindTerm[] {
  const tags = BLIND_TAGS.consultations;
  return [
    [tags.visit, body.visitId],
    [tags.client, body.clientId],
  ];
}

/**
 * The value an instrument's address is indexed under: transport and address, since the same
 * address on two transports is two instruments.
 */
export function instrumentAddressValue(transport: string, address: string): string {
  return `${transport}\u0000${address}`;
}

/** What a remembered instrument is indexed under: its transport address. */
export function instrumentTerms(body: z.output<typeof InstrumentBody>): BlindTerm[] {
  return [[BLIND_TAGS.instruments.address, instrumentAddressValue(body.transport, body.address)]];
}

/** What an outbox item is indexed under: its content hash (idempotent enqueueing). */
export function outboxTerms(body: z.output<typeof OutboxBody>): BlindTerm[] {
  return [[BLIND_TAGS.outbox.contentHash, body.contentHash]];
}

/**
 * What a tablet is indexed under: the hash of its pending pairing code and of its bearer token
 * (the secrets themselves are never stored, so the index is rebuilt from their hashes).
 */
export function tabletTerms(body: z.output<typeof TabletBody>): BlindTerm[] {
  const terms: BlindTerm[] = [];
  if (body.codeHash !== undefined) terms.push([BLIND_TAGS.tablets.codeHash, body.codeHash]);
  if (body.tokenHash !== undefined) terms.push([BLIND_TAGS.tablets.tokenHash, body.tokenHash]);
  return terms;
}
