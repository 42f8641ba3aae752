import type { ConsultationRecord } from '../../../../store/index.ts';
import type { CodeableConcept, Reference, ServiceRequest } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';
import type { LinkConsultation } from '../link-answers.ts';
import { SYSTEMS } from './coding.ts';
import { specialistRef } from './specialist.ts';

/**
 * The specialties a request asks for (runtime/http/api/consultations.ts SPECIALTIES), as the
 * kit's own code system: documented in runtime/fhir/README.md.
 */
export const SPECIALTY_SYSTEM = 'urn:fieldkit:fhir:codesystem:specialty';

/** SNOMED CT 11429006 |Consultation (procedure)|: what every request asks for. */
const CONSULTATION: CodeableConcept = {
  coding: [{ system: SYSTEMS.snomed, code: '11429006', display: 'Consultation' }],
  text: 'Консультация специалиста',
};

const subjectOf = (patientId: string | null, ctx: MapContext): Reference =>
  patientId === null ? { display: 'patient not identified' } : ctx.names.ref(KIND.patient, patientId);

/**
 * A consultation request written on the tablet as a ServiceRequest, not a CommunicationRequest:
 * the brigade asks a specialist to perform a service (assess the patient and conclude), which is
 * what ServiceRequest is for ("consultation" is one of its canonical uses), and the specialist's
 * answer, a DiagnosticReport, points back to it through `DiagnosticReport.basedOn`, which accepts
 * a ServiceRequest and not a CommunicationRequest. A CommunicationRequest asks for information
 * to be sent, which is not what the question is.
 *
 * Urgency is `priority`, the specialty `performerType`, the question the `note`, the readings and
 * attachments sent with it `supportingInfo` (only those in the bundle: `inBundle` says which), the
 * NEWS2 total the tablet showed a second note.
 */
export function toServiceRequest(
  c: ConsultationRecord,
  ctx: MapContext,
  inBundle: (kind: 'observation' | 'attachment', id: string) => boolean,
): ServiceRequest {
  const question = fhirText(c.question);
  const supporting = [
    ...c.observationIds
      .filter((id) => inBundle('observation', id))
      .map((id) => ctx.names.ref(KIND.observation, id)),
    ...c.attachmentIds
      .filter((id) => inBundle('attachment', id))
      .map((id) => ctx.names.ref(KIND.attachment, id)),
  ];
  return {
    resourceType: 'ServiceRequest',
    identifier: [ctx.names.identifier(KIND.consultation, c.id)],
    status: 'active',
    intent: 'order',
    category: [CONSULTATION],
    priority: c.urgency,
    code: CONSULTATION,
    subject: subjectOf(c.patientId, ctx),
    encounter: ctx.names.ref(KIND.visit, c.visitId),
    authoredOn: c.enteredAt,
    requester: { display: fhirText(c.author) || c.author },
    performerType: { coding: [{ system: SPECIALTY_SYSTEM, code: c.specialty }], text: c.specialty },
    ...(supporting.length > 0 ? { supportingInfo: supporting } : {}),
    note: [
      ...(question ? [{ text: question, time: c.enteredAt }] : []),
      ...(c.news2Total === null ? [] : [{ text: `NEWS2 on the tablet when asked: ${c.news2Total}` }]),
    ],
  };
}

/**
 * A consultation the kit sent over the link to a named specialist (POST /api/link/consultations)
 * as a ServiceRequest: to whom, how urgent (its link priority), when, the readings it carried
 * (bound by SHA-256; those in the bundle as `supportingInfo`), and `completed` once answered. The
 * link keeps no copy of the question once the hub holds the envelope, so it has no `note`.
 */
export function toLinkServiceRequest(
  c: LinkConsultation,
  visit: { readonly id: string; readonly patientId: string | null },
  ctx: MapContext,
  inBundle: (kind: 'observation', id: string) => boolean,
): ServiceRequest {
  const supporting = c.observationIds
    .filter((id) => inBundle('observation', id))
    .map((id) => ctx.names.ref(KIND.observation, id));
  return {
    resourceType: 'ServiceRequest',
    identifier: [ctx.names.identifier(KIND.consultation, c.itemId)],
    status: c.answered ? 'completed' : 'active',
    intent: 'order',
    category: [CONSULTATION],
    priority: c.urgent ? 'urgent' : 'routine',
    code: CONSULTATION,
    subject: subjectOf(visit.patientId, ctx),
    encounter: ctx.names.ref(KIND.visit, visit.id),
    authoredOn: c.createdAt,
    performer: [specialistRef(c.to)],
    ...(supporting.length > 0 ? { supportingInfo: supporting } : {}),
  };
}
