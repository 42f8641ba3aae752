import type { WireObservation } from '../wire.ts';

/**
 * What the API sends the tablet. The PWA imports these as types only, so the browser bundle
 * never pulls server code. Every record here is already committed on the kit.
 */

/** A patient as the tablet lists and shows them. */
export interface WirePatient {
  readonly id: string;
  readonly familyName: string;
  readonly givenName: string;
  readonly middleName: string | null;
  readonly birthDate: string | null;
  readonly sex: 'male' | 'female' | 'other' | 'unknown';
  /** СНИЛС, as 11 digits. */
  readonly snils: string | null;
  /** Полис ОМС, as 16 digits. */
  readonly oms: string | null;
  readonly address: string | null;
  readonly phone: string | null;
  readonly createdAt: string;
}

/** A visit (house call). */
export interface WireVisit {
  readonly id: string;
  readonly patientId: string | null;
  readonly reason: string | null;
  readonly place: string | null;
  readonly openedAt: string;
  readonly closedAt: string | null;
  readonly status: 'open' | 'closed';
}

/** A photo, voice note or waveform stored with a visit; `url` streams its bytes. */
export interface WireAttachment {
  readonly id: string;
  readonly kind: string;
  readonly mediaType: string;
  readonly size: number;
  readonly createdAt: string;
  readonly url: string;
}

/**
 * Where an outgoing item is, per item and honest: `stored` (on the kit, waiting for the link),
 * `queued` (the link has it in its send order), `sending` (with progress), `at-hub` (on the
 * hub's disk), `delivered` (on the specialist's device), `read`, `answered`.
 */
export type DeliveryState = 'stored' | 'queued' | 'sending' | 'at-hub' | 'delivered' | 'read' | 'answered';

/** Delivery of one outbox item. `linkPresent` is false until the link to the specialists exists. */
export interface WireDelivery {
  readonly state: DeliveryState;
  /** 0..1 while sending, else null. */
  readonly progress: number | null;
  readonly linkPresent: boolean;
  readonly since: string | null;
  /** Bytes of the sealed envelope acknowledged, and its size, once the link sealed it. */
  readonly bytes?: { readonly sent: number; readonly total: number } | null;
  /** The specialist it goes to (the directory's name), once the link chose one. */
  readonly to?: string | null;
  /** The recipient refused it for now: when the link tries again. */
  readonly retryAt?: string | null;
}

/** A consultation request and where it is. */
export interface WireConsultation {
  readonly id: string;
  readonly visitId: string;
  readonly question: string;
  readonly specialty: string;
  readonly urgency: 'urgent' | 'routine';
  readonly observationIds: readonly string[];
  readonly attachmentIds: readonly string[];
  readonly news2Total: number | null;
  readonly author: string;
  readonly enteredAt: string;
  readonly createdAt: string;
  readonly outboxId: string;
  readonly delivery: WireDelivery;
}

/** One journal entry of a visit, with what it refers to resolved. */
export interface WireEntry {
  readonly id: string;
  readonly clientId: string;
  readonly visitId: string;
  readonly kind: 'complaints' | 'note' | 'keep' | 'manual' | 'attachment' | 'consultation';
  readonly author: string;
  readonly enteredAt: string;
  readonly recordedAt: string;
  readonly text: string | null;
  readonly observation: WireObservation | null;
  readonly attachment: WireAttachment | null;
  readonly consultation: WireConsultation | null;
}

/** A conclusion's parts, as the specialist signed them (each may be absent). */
export interface WireConclusion {
  readonly findings: string | null;
  readonly diagnosis: string | null;
  /** ICD-10 code of the diagnosis (e.g. `R07.4`). */
  readonly icd10: string | null;
  readonly recommendations: string | null;
  /** Where to refer as text, `true` for "seen in person" with no text, null for none. */
  readonly referral: string | true | null;
}

/** Largest voice message carried inline in an answer (the console sends at most this). */
export const MAX_VOICE_ANSWER_BYTES = 1024 * 1024;

/**
 * A specialist's message or signed conclusion (they arrive with the link). `verified` is true
 * only when the kit checked the signature against the pinned directory; never assumed. When it
 * is false, `reasons` holds the checks that failed as codes (`bad_signature`, `unknown_sender`,
 * `record_hash_mismatch`...), which the tablet words in its own language.
 */
export interface WireAnswer {
  readonly id: string;
  readonly consultationId: string;
  readonly kind: 'message' | 'conclusion' | 'voice';
  readonly author: string;
  readonly text: string;
  readonly at: string;
  /** A voice message's recording, inline (at most {@link MAX_VOICE_ANSWER_BYTES}), to play offline. */
  readonly audio?: { readonly mediaType: string; readonly dataUrl: string } | null;
  readonly signature: {
    readonly verified: boolean;
    readonly signer: string | null;
    readonly reasons?: readonly string[];
  } | null;
  readonly conclusion?: WireConclusion | null;
}

/** A consultation's news, published live: where it is now, or an answer that arrived. */
export type WireConsultationChange =
  | {
      readonly kind: 'delivery';
      readonly visitId: string;
      readonly consultationId: string;
      readonly outboxId: string;
      readonly delivery: WireDelivery;
    }
  | {
      readonly kind: 'answer';
      readonly visitId: string;
      readonly consultationId: string;
      readonly answer: WireAnswer;
    };

/** Everything the visit screen needs in one answer (and what the tablet caches for offline). */
export interface WireVisitView {
  readonly visit: WireVisit;
  readonly patient: WirePatient | null;
  readonly entries: readonly WireEntry[];
  readonly answers: readonly WireAnswer[];
  /** Ids of records that could not be read (damaged on disk); the rest is complete. */
  readonly damaged: readonly string[];
}

/** A patient with their visits, newest first. */
export interface WirePatientView {
  readonly patient: WirePatient;
  readonly visits: readonly WireVisit[];
}

/** A search answer: matches, and any damaged records skipped. */
export interface WirePatientSearch {
  readonly patients: readonly WirePatient[];
  readonly damaged: readonly string[];
}

/** One pending item of the kit's outbox. */
export interface WireOutboxItem {
  readonly id: string;
  readonly kind: string;
  readonly priority: string;
  readonly createdAt: string;
  readonly consultationId: string | null;
  readonly visitId: string | null;
  readonly delivery: WireDelivery;
}

/** A change to a visit, published live to every tablet (the one with the visit open applies it). */
export type WireVisitChange =
  | { readonly kind: 'entry'; readonly visitId: string; readonly entry: WireEntry }
  | { readonly kind: 'closed'; readonly visitId: string; readonly visit: WireVisit };
