import type { CodeableConcept, Identifier } from '../fhir-types.ts';

/** An identity document as the store keeps it: a kind (`snils`, `oms`, `passport`) and a number. */
export interface StoredDocument {
  readonly kind: string;
  readonly number: string;
}

/** One document kind as a profile names it in FHIR. */
export interface DocumentSystem {
  /** The store's kind. */
  readonly kind: string;
  /** The FHIR `Identifier.system`. */
  readonly system: string;
  /** `Identifier.type`, where the profile defines one. */
  readonly type?: CodeableConcept;
}

/**
 * How identifiers are written for one receiving system. The store keeps a document as kind +
 * number; which URI or OID names that kind is decided here, at export, so the same kit can feed an
 * HL7 Russia core server and an N3.Health bus. Adding a profile is adding one of these tables.
 */
export interface IdentifierProfile {
  /** The `--profile` value. */
  readonly name: string;
  /** One line for `--help` and the README. */
  readonly summary: string;
  readonly documents: readonly DocumentSystem[];
}

/** Digits only: СНИЛС is typed `112-233-445 95`, полис ОМС in groups; both systems want digits. */
export function digitsOnly(text: string): string {
  return text.replace(/\D/g, '');
}

/** Document kinds whose numbers are digits by definition. */
const DIGIT_KINDS = new Set(['snils', 'oms']);

/** The number as it is exported and compared: digits for СНИЛС and ОМС, trimmed otherwise. */
export function canonicalNumber(kind: string, number: string): string {
  return DIGIT_KINDS.has(kind) ? digitsOnly(number) : number.trim().replace(/\s+/g, ' ');
}

/** System for a document kind no profile names: kept, so nothing the brigade typed is lost. */
export function fallbackSystem(kind: string): string {
  return `urn:fieldkit:document-kind:${encodeURIComponent(kind)}`;
}

/** The FHIR identifier of a stored document under a profile. */
export function documentIdentifier(profile: IdentifierProfile, doc: StoredDocument): Identifier {
  const known = profile.documents.find((d) => d.kind === doc.kind);
  const value = canonicalNumber(doc.kind, doc.number);
  if (!known) return { system: fallbackSystem(doc.kind), value };
  return { ...(known.type ? { type: known.type } : {}), system: known.system, value };
}
