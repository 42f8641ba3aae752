import type { CodeableConcept, PractitionerRole } from '../../fhir-types.ts';
import type { BrigadeMember, BrigadeRole } from '../brigade.ts';
import { KIND, type MapContext } from '../context.ts';

const ROLE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/practitioner-role';

/** Role codes: HL7's practitioner-role where it has one (doctor, nurse), Russian text always. */
const ROLE_CODES: Readonly<Record<BrigadeRole, CodeableConcept>> = {
  doctor: { coding: [{ system: ROLE_SYSTEM, code: 'doctor', display: 'Doctor' }], text: 'врач' },
  nurse: { coding: [{ system: ROLE_SYSTEM, code: 'nurse', display: 'Nurse' }], text: 'медицинская сестра' },
  feldsher: { text: 'фельдшер' },
  driver: { text: 'водитель' },
};

/** A member's role on the brigade, for the organisation when the brigade file names one. */
export function toPractitionerRole(
  m: BrigadeMember,
  ctx: MapContext,
  withOrganization: boolean,
): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    identifier: [ctx.names.identifier(KIND.practitionerRole, m.id)],
    active: true,
    practitioner: ctx.names.ref(KIND.practitioner, m.id),
    ...(withOrganization ? { organization: ctx.names.ref(KIND.organization, 'brigade') } : {}),
    code: [ROLE_CODES[m.role]],
  };
}
