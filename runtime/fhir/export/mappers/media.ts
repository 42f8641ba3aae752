import type { AttachmentRecord } from '../../../../store/index.ts';
import type { Attachment, DocumentReference, Media } from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';
import { STREAMED_DATA, STREAMED_HASH } from '../streamed-data.ts';

const MEDIA_TYPE = 'http://terminology.hl7.org/CodeSystem/media-type';

/** The attachment's content: its bytes are streamed into `data` by the bundle writer. */
function content(a: AttachmentRecord, title: string): Attachment {
  return {
    contentType: a.mediaType,
    data: STREAMED_DATA,
    size: a.size,
    hash: STREAMED_HASH,
    title,
    creation: a.createdAt,
  };
}

function common(a: AttachmentRecord, ctx: MapContext) {
  return {
    identifier: [ctx.names.identifier(KIND.attachment, a.id)],
    ...(a.patientId === null ? {} : { subject: ctx.names.ref(KIND.patient, a.patientId) }),
  };
}

/**
 * A photo or a voice note as Media (type image or audio), its bytes inline: the bundle writer
 * streams them from the store as base64 and adds the SHA-1 hash FHIR asks for, so a large
 * recording never sits in memory whole.
 */
export function toMedia(a: AttachmentRecord & { kind: 'photo' | 'voice' }, ctx: MapContext): Media {
  const note = a.note === undefined ? '' : fhirText(a.note);
  const photo = a.kind === 'photo';
  return {
    resourceType: 'Media',
    ...common(a, ctx),
    status: 'completed',
    type: {
      coding: [{ system: MEDIA_TYPE, code: photo ? 'image' : 'audio', display: photo ? 'Image' : 'Audio' }],
    },
    ...(a.visitId === null ? {} : { encounter: ctx.names.ref(KIND.visit, a.visitId) }),
    createdDateTime: a.createdAt,
    ...(note ? { note: [{ text: note }] } : {}),
    content: content(a, photo ? 'фото' : 'голосовая заметка'),
  };
}

/** Any other attachment (a scanned document, a file) as a DocumentReference, bytes inline. */
export function toDocumentReference(a: AttachmentRecord, ctx: MapContext): DocumentReference {
  const note = a.note === undefined ? '' : fhirText(a.note);
  return {
    resourceType: 'DocumentReference',
    ...common(a, ctx),
    status: 'current',
    type: { text: a.kind === 'document' ? 'документ' : 'вложение' },
    date: a.createdAt,
    ...(note ? { description: note } : {}),
    content: [{ attachment: content(a, a.kind === 'document' ? 'документ' : 'вложение') }],
    ...(a.visitId === null ? {} : { context: { encounter: [ctx.names.ref(KIND.visit, a.visitId)] } }),
  };
}
