import type {
  AttachmentRecord,
  ConsultationRecord,
  PatientRecord,
  VisitEntryRecord,
  VisitRecord,
} from '../../../store/index.ts';
import type { ObservationRecord } from '../../../store/index.ts';
import { toWireObservation } from '../wire.ts';
import type {
  WireAttachment,
  WireConsultation,
  WireDelivery,
  WireEntry,
  WirePatient,
  WireVisit,
} from './wire-types.ts';

/** A patient's wire form: СНИЛС and полис ОМС lifted out of the document list. */
export function toWirePatient(p: PatientRecord): WirePatient {
  const doc = (kind: string) => p.documents.find((d) => d.kind === kind)?.number ?? null;
  return {
    id: p.id,
    familyName: p.familyName,
    givenName: p.givenName,
    middleName: p.middleName ?? null,
    birthDate: p.birthDate ?? null,
    sex: p.sex,
    snils: doc('snils'),
    oms: doc('oms'),
    address: p.address ?? null,
    phone: p.phone ?? null,
    createdAt: p.createdAt,
  };
}

/** A visit's wire form. */
export function toWireVisit(v: VisitRecord): WireVisit {
  return {
    id: v.id,
    patientId: v.patientId,
    reason: v.reason ?? null,
    place: v.place ?? null,
    openedAt: v.openedAt,
    closedAt: v.closedAt ?? null,
    status: v.status,
  };
}

/** An attachment's wire form, with the URL that streams it. */
export function toWireAttachment(a: AttachmentRecord): WireAttachment {
  return {
    id: a.id,
    kind: a.kind,
    mediaType: a.mediaType,
    size: a.size,
    createdAt: a.createdAt,
    url: `/api/attachments/${a.id}`,
  };
}

/** A consultation request with its delivery state. */
export function toWireConsultation(c: ConsultationRecord, delivery: WireDelivery): WireConsultation {
  return {
    id: c.id,
    visitId: c.visitId,
    question: c.question,
    specialty: c.specialty,
    urgency: c.urgency,
    observationIds: c.observationIds,
    attachmentIds: c.attachmentIds,
    news2Total: c.news2Total,
    author: c.author,
    enteredAt: c.enteredAt,
    createdAt: c.createdAt,
    outboxId: c.outboxId,
    delivery,
  };
}

/** What an entry refers to, already read. */
export interface EntryRefs {
  readonly observation?: ObservationRecord | null;
  readonly attachment?: AttachmentRecord | null;
  readonly consultation?: WireConsultation | null;
}

/** A journal entry's wire form. */
export function toWireEntry(e: VisitEntryRecord, refs: EntryRefs = {}): WireEntry {
  return {
    id: e.id,
    clientId: e.clientId,
    visitId: e.visitId,
    kind: e.kind,
    author: e.author,
    enteredAt: e.enteredAt,
    recordedAt: e.recordedAt,
    text: e.text ?? null,
    observation: refs.observation ? toWireObservation(refs.observation) : null,
    attachment: refs.attachment ? toWireAttachment(refs.attachment) : null,
    consultation: refs.consultation ?? null,
  };
}
