import type { BundleEntry, FhirResource, Identifier } from '../fhir-types.ts';
import { ifNoneExistFor } from './refs.ts';

/**
 * A transaction entry that creates its resource only if none with the identifier exists
 * (`ifNoneExist`), so the bundle can be posted twice to any server without duplicates. Resources
 * without an identifier (Provenance) are plain creates.
 */
export function createEntry(fullUrl: string, resource: FhirResource, match?: Identifier): BundleEntry {
  return {
    fullUrl,
    resource,
    request: {
      method: 'POST',
      url: resource.resourceType,
      ...(match ? { ifNoneExist: ifNoneExistFor(match) } : {}),
    },
  };
}

/** Which of a patient's identifiers a server matches on: СНИЛС, then полис ОМС, then the first. */
export function matchingIdentifier(
  ids: readonly Identifier[],
  systems: { snils?: string; oms?: string },
): Identifier | undefined {
  return (
    ids.find((i) => systems.snils !== undefined && i.system === systems.snils) ??
    ids.find((i) => systems.oms !== undefined && i.system === systems.oms) ??
    ids[0]
  );
}
