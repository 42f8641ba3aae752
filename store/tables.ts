import { z } from 'zod';
import { AttachmentBody } from './schema/attachment.ts';
import { AuditBody } from './schema/audit-entry.ts';
import { InstrumentBody } from './schema/instrument.ts';
import { LinkRecordBody } from './schema/link-record.ts';
import { ConsultationBody } from './schema/consultation.ts';
import { OutboxBody, OutboxPriority } from './schema/outbox-item.ts';
import { PatientBody } from './schema/patient.ts';
import { ObservationBody } from './schema/stored-observation.ts';
import { VisitBody } from './schema/visit.ts';
import { TabletBody } from './schema/tablet.ts';
import { KitCredentialBody } from './schema/kit-credential.ts';
import type { BlindTerm } from './tables/blind-index.ts';
import {
  attachmentTerms,
  instrumentTerms,
  consultationTerms,
  observationTerms,
  outboxTerms,
  patientTerms,
  visitEntryTerms,
  tabletTerms,
  visitTerms,
} from './tables/blind-index.ts';
import { VisitEntryBody } from './schema/visit-entry.ts';
import {
  OBSERVATION_VERSION,
  checkObservationBody,
  packObservation,
  readObservation,
  unpackObservation,
} from './tables/observation-codec.ts';

/** A step that upgrades a body from version n to n + 1 (applied lazily on read). */
export type Migration = (body: unknown) => unknown;

/** How a table's records are found through the blind index. */
export interface TableIndex<T> {
  /**
   * The (tag, value) pairs a body is indexed under. The table's write path indexes exactly these
   * (a test rebuilds the index from them and compares); the index rebuild and the store check use
   * them to find every record again.
   */
  // Method syntax: a table's index takes its own body type, and every TableDef is still a TableDef<unknown>.
  terms(body: T): readonly BlindTerm[];
  /** The bytes a posting holds for a record key (default: the key itself). */
  readonly postingKey?: (key: Buffer) => Buffer;
  /** The record keys a posting may stand for (default: the posting itself). */
  readonly recordKeys?: (posted: Buffer) => Buffer[];
}

/**
 * A table: its id letter, the schema version new records are written at, the migrations that
 * bring older versions up to it, and the zod schema every decrypted body must satisfy.
 */
export interface TableDef<T = unknown> {
  readonly name: string;
  /** The letter before the dash of every id (`o-000000000000002a`); the only place it is set. */
  readonly prefix: string;
  /** Bytes of a record key (default 8: the store's counter). */
  readonly keyBytes?: number;
  readonly version: number;
  readonly schema: z.ZodType<T>;
  readonly migrations: Readonly<Record<number, Migration>>;
  /** Blind index terms, for tables that can be looked up by a field. */
  readonly index?: TableIndex<T>;
  /** Turns a validated body into what is CBOR-encoded at `version` (default: the body itself). */
  readonly pack?: (body: unknown) => unknown;
  /** Inverse of `pack` for bodies read at `version` (before validation). */
  readonly unpack?: (packed: unknown) => unknown;
  /**
   * The schema's rules as plain code (same verdicts and output, proven by a property test), used
   * instead of `schema.safeParse` on hot paths; undefined means the body does not match.
   */
  readonly check?: (body: unknown) => T | undefined;
  /**
   * `unpack` then `check` in one step for bodies at `version` (the hot read path), when the table
   * can validate its freshly unpacked body in place instead of copying it.
   */
  readonly readCurrent?: (packed: unknown) => T | undefined;
}

const open = z.record(z.string(), z.unknown());

function table<T>(
  name: string,
  prefix: string,
  schema: z.ZodType<T>,
  extra: Partial<Pick<TableDef<T>, 'version' | 'index' | 'keyBytes'>> = {},
): TableDef<T> {
  return { name, prefix, version: 1, schema, migrations: {}, ...extra };
}

/**
 * Every table of the store: the one place where names, id prefixes, schema versions and blind
 * index terms are set. Tables whose shapes belong to later issues (messages, conclusions)
 * accept any map until those issues pin them down.
 */
export const TABLES = {
  patients: table('patients', 'p', PatientBody, { index: { terms: patientTerms } }),
  visits: table('visits', 'v', VisitBody, { index: { terms: visitTerms } }),
  observations: {
    ...table('observations', 'o', ObservationBody, {
      version: OBSERVATION_VERSION,
      index: { terms: observationTerms },
    }),
    // Version 1 bodies were CBOR maps of the same fields: they validate as they are.
    migrations: { 1: (body: unknown) => body },
    pack: packObservation,
    unpack: unpackObservation,
    check: checkObservationBody,
    readCurrent: readObservation,
  },
  instruments: table('instruments', 'i', InstrumentBody, { index: { terms: instrumentTerms } }),
  attachments: table('attachments', 'a', AttachmentBody, { index: { terms: attachmentTerms } }),
  consultations: table('consultations', 'c', ConsultationBody, { index: { terms: consultationTerms } }),
  messages: table('messages', 'm', open),
  conclusions: table('conclusions', 'n', open),
  // Keys are the priority byte then the counter (LMDB order is send order); postings hold the
  // counter only, so an item is found by content whatever its priority.
  outbox: table('outbox', 'x', OutboxBody, {
    keyBytes: 9,
    index: {
      terms: outboxTerms,
      postingKey: (key) => key.subarray(1),
      recordKeys: (posted) => OutboxPriority.options.map((_, p) => Buffer.concat([Buffer.from([p]), posted])),
    },
  }),
  audit: table('audit', 'u', AuditBody),
  /** Keyed (not counter) records of the link layer: see store/tables/link-records.ts. */
  link: table('link', 'l', LinkRecordBody),
  visitEntries: table('visitEntries', 'e', VisitEntryBody, { index: { terms: visitEntryTerms } }),
  // Found by the hash of a pairing code or a bearer token (store/tables/tablets.ts).
  tablets: table('tablets', 't', TabletBody, { index: { terms: tabletTerms } }),
  kitCredentials: table('kitCredentials', 'k', KitCredentialBody),
} as const;

/** Names of the record tables. */
export type TableName = keyof typeof TABLES;

/** The decrypted body type of a table. */
export type BodyOf<N extends TableName> = (typeof TABLES)[N] extends TableDef<infer B> ? B : never;

/** All table definitions, for iteration (rotation, verification, backup checks). */
export const ALL_TABLES: readonly TableDef[] = Object.values(TABLES);
