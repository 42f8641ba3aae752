import type { VisitRecord } from '../../../../store/index.ts';
import type { Encounter } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';

/** Who took part in the visit, as the export knows it. */
export interface EncounterParties {
  /** Brigade member ids (their PractitionerRoles are in the bundle). */
  readonly members: readonly string[];
  /** Whether the brigade's Organization is in the bundle. */
  readonly organization: boolean;
}

const PARTICIPATION = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';

/**
 * A visit as an Encounter: a home-health encounter (v3 ActCode HH) of the patient, in progress
 * while open, finished when closed, with the brigade as participants and the place as the
 * location's display (the kit keeps no Location records).
 */
export function toEncounter(v: VisitRecord, ctx: MapContext, parties: EncounterParties): Encounter {
  const reason = v.reason === undefined ? '' : fhirText(v.reason);
  const place = v.place === undefined ? '' : fhirText(v.place);
  return {
    resourceType: 'Encounter',
    identifier: [ctx.names.identifier(KIND.visit, v.id)],
    status: v.status === 'closed' ? 'finished' : 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'HH', display: 'home health' },
    ...(v.patientId === null ? {} : { subject: ctx.names.ref(KIND.patient, v.patientId) }),
    ...(parties.members.length > 0
      ? {
          participant: parties.members.map((id) => ({
            type: [{ coding: [{ system: PARTICIPATION, code: 'PPRF', display: 'primary performer' }] }],
            individual: ctx.names.ref(KIND.practitionerRole, id),
          })),
        }
      : {}),
    period: { start: v.openedAt, ...(v.closedAt === undefined ? {} : { end: v.closedAt }) },
    ...(reason ? { reasonCode: [{ text: reason }] } : {}),
    ...(place ? { location: [{ location: { display: place } }] } : {}),
    ...(parties.organization ? { serviceProvider: ctx.names.ref(KIND.organization, 'brigade') } : {}),
  };
}
