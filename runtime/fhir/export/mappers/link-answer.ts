import { parseSignedItem } from '../../../../crypto/signed-item.ts';
import type {
  CodeableConcept,
  Communication,
  DiagnosticReport,
  Extension,
  Provenance,
  Reference,
} from '../../fhir-types.ts';
import { KIND, type MapContext } from '../context.ts';
import { fhirText } from '../fhir-json.ts';
import type { LinkAnswer } from '../link-answers.ts';
import { SYSTEMS } from './coding.ts';
import { EXTENSIONS } from './extensions.ts';
import { specialistRef } from './specialist.ts';

/** ICD-10 (WHO) as FHIR names it; the Russian МКБ-10 uses the same codes. */
export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/;
const SIGNATURE_TYPE = 'urn:iso-astm:E1762-95:2013';
const PARTICIPANT = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
const ACTIVITY = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';

/** Where an answer sits: its visit, and which of the bundle's resources it may point at. */
export interface AnswerPlace {
  readonly visitId: string;
  readonly patientId: string | null;
  /** The consultation it answers, when that consultation is in the bundle (its local id). */
  readonly basedOn?: string;
  readonly inBundle: (kind: 'observation', id: string) => boolean;
}

/** Whether the kit verified the item, and every reason it did not (kept with the resource). */
function verification(a: LinkAnswer): Extension[] {
  return [
    { url: EXTENSIONS.signatureVerified, valueBoolean: a.verified },
    ...a.reasons.map((r) => ({ url: EXTENSIONS.verificationProblem, valueString: fhirText(r) })),
  ];
}

function common(a: LinkAnswer, kind: string, place: AnswerPlace, ctx: MapContext) {
  return {
    extension: verification(a),
    identifier: [ctx.names.identifier(kind, a.itemId)],
    ...(place.basedOn === undefined ? {} : { basedOn: [ctx.names.ref(KIND.consultation, place.basedOn)] }),
  };
}

const subject = (place: AnswerPlace, ctx: MapContext): { subject?: Reference } =>
  place.patientId === null ? {} : { subject: ctx.names.ref(KIND.patient, place.patientId) };

/**
 * A specialist's message in a consultation's thread as a Communication: from the specialist (by
 * directory id), to the kit's identity, sent and received times, the text as payload, based on
 * the consultation it answers, and whether its signature verified on the kit.
 */
export function toMessageCommunication(a: LinkAnswer, place: AnswerPlace, ctx: MapContext): Communication {
  if (a.answer.kind !== 'message') throw new TypeError('not a message');
  return {
    resourceType: 'Communication',
    ...common(a, KIND.message, place, ctx),
    status: 'completed',
    ...subject(place, ctx),
    encounter: ctx.names.ref(KIND.visit, place.visitId),
    sent: a.sentAt,
    received: a.receivedAt,
    sender: specialistRef(a.from),
    recipient: [{ ...specialistRef(a.to), type: 'Device' }],
    payload: [{ contentString: fhirText(a.answer.body.text) || '—' }],
  };
}

function diagnosisCode(diagnosis: string | undefined, icd10: string | undefined): CodeableConcept[] {
  const text = diagnosis === undefined ? '' : fhirText(diagnosis);
  const code = icd10 ?? (ICD10.test(text) ? text : undefined);
  if (code === undefined) return text ? [{ text }] : [];
  return [
    {
      coding: [{ system: ICD10_SYSTEM, code, ...(text && text !== code ? { display: text } : {}) }],
      text: text || code,
    },
  ];
}

/** The conclusion's parts as one text, headed in Russian as the brigade reads them. */
function conclusionText(body: Extract<LinkAnswer['answer'], { kind: 'conclusion' }>['body']): string {
  const parts: string[] = [fhirText(body.text)];
  if (body.findings) parts.push(`Данные: ${fhirText(body.findings)}`);
  if (body.diagnosis)
    parts.push(`Диагноз: ${fhirText(body.diagnosis)}${body.icd10 ? ` (${body.icd10})` : ''}`);
  else if (body.icd10) parts.push(`Диагноз: ${body.icd10}`);
  if (body.recommendations) parts.push(`Рекомендации: ${fhirText(body.recommendations)}`);
  if (body.referral === true) parts.push('Направление: нужен очный осмотр');
  else if (typeof body.referral === 'string') parts.push(`Направление: ${fhirText(body.referral)}`);
  return parts.filter((p) => p.length > 0).join('\n');
}

/**
 * The specialist's signed conclusion as a DiagnosticReport (LOINC 11488-4 Consult note): the
 * conclusion text with its findings, recommendations and referral, the diagnosis as
 * `conclusionCode` (ICD-10 when coded), the specialist as performer and interpreter, `result` the
 * readings it is bound to (by SHA-256 of the exact bytes sent; those in the bundle), based on the
 * consultation, and whether its signature verified (the signature itself is on its Provenance).
 */
export function toConclusionReport(a: LinkAnswer, place: AnswerPlace, ctx: MapContext): DiagnosticReport {
  if (a.answer.kind !== 'conclusion') throw new TypeError('not a conclusion');
  const body = a.answer.body;
  const result = body.refersTo
    .filter((r) => place.inBundle('observation', r.id))
    .map((r) => ctx.names.ref(KIND.observation, r.id));
  const codes = diagnosisCode(body.diagnosis, body.icd10);
  return {
    resourceType: 'DiagnosticReport',
    ...common(a, KIND.conclusion, place, ctx),
    status: 'final',
    code: {
      coding: [{ system: SYSTEMS.loinc, code: '11488-4', display: 'Consult note' }],
      text: 'Заключение специалиста',
    },
    ...subject(place, ctx),
    encounter: ctx.names.ref(KIND.visit, place.visitId),
    effectiveDateTime: a.sentAt,
    issued: a.receivedAt,
    performer: [specialistRef(a.from)],
    resultsInterpreter: [specialistRef(a.from)],
    ...(result.length > 0 ? { result } : {}),
    conclusion: conclusionText(body),
    ...(codes.length > 0 ? { conclusionCode: codes } : {}),
  };
}

/**
 * The conclusion's signature as a Provenance: `signature` with the author's-signature type (ASTM
 * E1762), when the specialist signed, who, the signed bytes' format (CBOR) and the Ed25519
 * signature itself (base64). Ed25519 has no registered media type, so `sigFormat` is
 * application/octet-stream and the entity carries what a reader needs to check it offline: the
 * exact signed bytes, the signer's public key, and the kit's verdict (README: the signature is
 * over "fieldkit/item/v1\0" followed by the signed bytes).
 */
export function toSignatureProvenance(a: LinkAnswer, ctx: MapContext): Provenance {
  const who = specialistRef(a.from);
  const key = parseSignedItem(a.signed).key;
  const b64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
  return {
    resourceType: 'Provenance',
    target: [ctx.names.ref(KIND.conclusion, a.itemId)],
    occurredDateTime: a.sentAt,
    recorded: a.receivedAt,
    activity: { coding: [{ system: ACTIVITY, code: 'CREATE', display: 'create' }] },
    agent: [{ type: { coding: [{ system: PARTICIPANT, code: 'author', display: 'Author' }] }, who }],
    entity: [
      {
        role: 'source',
        what: {
          identifier: { system: ctx.names.system('signed-item'), value: a.itemId },
          display: 'signed conclusion',
        },
        extension: [
          { url: EXTENSIONS.signedBytes, valueBase64Binary: b64(a.signed) },
          { url: EXTENSIONS.signingKey, valueBase64Binary: b64(key) },
          ...verification(a),
        ],
      },
    ],
    signature: [
      {
        type: [{ system: SIGNATURE_TYPE, code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" }],
        when: a.sentAt,
        who,
        targetFormat: 'application/cbor',
        sigFormat: 'application/octet-stream',
        data: b64(a.signature),
      },
    ],
  };
}
