import type { Practitioner } from '../../fhir-types.ts';
import { documentIdentifier } from '../../profiles/identifier-profile.ts';
import type { BrigadeMember } from '../brigade.ts';
import { KIND, type MapContext } from '../context.ts';
import { humanName } from './patient.ts';

/** A brigade member as a Practitioner: the kit's identifier (by member id) and the СНИЛС if known. */
export function toPractitioner(m: BrigadeMember, ctx: MapContext): Practitioner {
  return {
    resourceType: 'Practitioner',
    identifier: [
      ctx.names.identifier(KIND.practitioner, m.id),
      ...(m.snils ? [documentIdentifier(ctx.profile, { kind: 'snils', number: m.snils })] : []),
    ],
    active: true,
    name: [humanName(m)],
  };
}
