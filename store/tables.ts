import { z } from 'zod';
import { AttachmentBody } from './schema/attachment.ts';
import { AuditBody } from './schema/audit-entry.ts';
import { ConsultationBody } from './schema/consultation.ts';
import { OutboxBody } from './schema/outbox-item.ts';
import { PatientBody } from './schema/patient.ts';
import { ObservationBody } from './schema/stored-observation.ts';
import { VisitBody } from './schema/visit.ts';
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

/**
 * A table: its id letter, the schema version new records are written at, the migrations that
 * bring older versions up to it, and the zod schema every decrypted body must satisfy.
 */
export interface TableDef<T = unknown> {
  readonly name: string;
  readonly prefix: string;
  readonly version: number;
  readonly schema: z.ZodType<T>;
  readonly migrations: Readonly<Record<number, Migration>>;
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

function table<T>(name: string, prefix: string, schema: z.ZodType<T>, version = 1): TableDef<T> {
  return { name, prefix, version, schema, migrations: {} };
}

/**
 * Every table of the store. Tables whose shapes belong to later issues (instruments, messages,
 * conclusions) accept any map until those issues pin them down.
 */
export const TABLES = {
  patients: table('patients', 'p', PatientBody),
  visits: table('visits', 'v', VisitBody),
  observations: {
    ...table('observations', 'o', ObservationBody, OBSERVATION_VERSION),
    // Version 1 bodies were CBOR maps of the same fields: they validate as they are.
    migrations: { 1: (body: unknown) => body },
    pack: packObservation,
    unpack: unpackObservation,
    check: checkObservationBody,
    readCurrent: readObservation,
  },
  instruments: table('instruments', 'i', open),
  attachments: table('attachments', 'a', AttachmentBody),
  consultations: table('consultations', 'c', ConsultationBody),
  messages: table('messages', 'm', open),
  conclusions: table('conclusions', 'n', open),
  outbox: table('outbox', 'x', OutboxBody),
  audit: table('audit', 'u', AuditBody),
  visitEntries: table('visitEntries', 'e', VisitEntryBody),
} as const;

/** Names of the record tables. */
export type TableName = keyof typeof TABLES;

/** The decrypted body type of a table. */
export type BodyOf<N extends TableName> = (typeof TABLES)[N] extends TableDef<infer B> ? B : never;

/** All table definitions, for iteration (rotation, verification, backup checks). */
export const ALL_TABLES: readonly TableDef[] = Object.values(TABLES);
