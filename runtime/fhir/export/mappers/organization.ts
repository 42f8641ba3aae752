import type { Organization } from '../../fhir-types.ts';
import type { Brigade } from '../brigade.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';

/** The brigade's organisation: its ФРМО OID as `urn:ietf:rfc:3986` identifier when known. */
export function toOrganization(org: NonNullable<Brigade['organization']>, ctx: MapContext): Organization {
  return {
    resourceType: 'Organization',
    identifier: [
      ...(org.oid ? [{ system: 'urn:ietf:rfc:3986', value: `urn:oid:${org.oid}` }] : []),
      ctx.names.identifier(KIND.organization, 'brigade'),
    ],
    active: true,
    name: fhirText(org.name),
  };
}
