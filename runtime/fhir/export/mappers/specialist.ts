import type { Reference } from '../../fhir-types.ts';

/**
 * The identifier system of identities in the organisation's signed directory (specialists,
 * kits): documented in runtime/fhir/README.md. The bundle holds no Practitioner for a remote
 * specialist (the kit knows only the directory's id), so they are referenced by identifier.
 */
export const DIRECTORY_SYSTEM = 'urn:fieldkit:directory:identity';

/** A remote specialist (or another directory identity) by their directory id. */
export function specialistRef(id: string): Reference {
  return { type: 'Practitioner', identifier: { system: DIRECTORY_SYSTEM, value: id }, display: id };
}
