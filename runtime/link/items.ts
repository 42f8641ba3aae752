import { z } from 'zod';
import type { LinkPriority } from '../../crypto/signed-item.ts';
import type { OutboxPriority } from '../../store/index.ts';

/**
 * What travels inside envelopes, and in which clinical order:
 *
 *   1  urgent consultation requests and messages
 *   2  vitals (and delivery receipts: a few hundred bytes that keep the tablet's states honest)
 *   3  conclusions and routine requests
 *   4  waveforms (ECG strips)
 *   5  photos and voice
 */
export const ItemKind = z.enum([
  'consultation',
  'message',
  'vitals',
  'conclusion',
  'ecg',
  'waveform',
  'photo',
  'voice',
  'document',
]);
/** See {@link ItemKind}. */
export type ItemKind = z.infer<typeof ItemKind>;

/** The link priority of an item. */
export function priorityOf(kind: ItemKind, urgent = false): LinkPriority {
  switch (kind) {
    case 'consultation':
      return urgent ? 1 : 3;
    case 'message':
      return 1;
    case 'vitals':
      return 2;
    case 'conclusion':
    case 'document':
      return 3;
    case 'ecg':
    case 'waveform':
      return 4;
    case 'photo':
    case 'voice':
      return 5;
  }
}

/** Receipts ride at priority 2. */
export const RECEIPT_PRIORITY: LinkPriority = 2;

/** The store's outbox priority for a link priority (the outbox orders by it). */
export function outboxPriority(p: LinkPriority): OutboxPriority {
  return (['urgent', 'high', 'routine', 'low', 'bulk'] as const)[p - 1]!;
}

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** A record sent with a consultation: its id on the kit, its kind, its exact bytes (CBOR). */
export const SentRecord = z.object({
  id: z.string().min(1).max(64),
  kind: z.string().min(1).max(32),
  cbor: z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes'),
});
/** See {@link SentRecord}. */
export type SentRecord = z.infer<typeof SentRecord>;

/** A consultation request (body of a `consultation` item). */
export const ConsultationBody = z.object({
  urgency: z.enum(['urgent', 'routine']),
  question: z.string().min(1).max(20_000),
  /** Age and sex only: names stay on the kit. */
  patient: z
    .object({ age: z.number().int().min(0).max(130).optional(), sex: z.enum(['f', 'm', 'x']).optional() })
    .optional(),
  records: z.array(SentRecord).max(2000),
  /** Item ids (hex) of attachments sent as their own items (ECG strips, photos). */
  attachments: z
    .array(z.string().regex(/^[0-9a-f]{32}$/))
    .max(100)
    .default([]),
  /** Item ids (hex) of the visit's earlier consultations, so the specialist sees the thread. */
  earlier: z
    .array(z.string().regex(/^[0-9a-f]{32}$/))
    .max(100)
    .optional(),
});
/** See {@link ConsultationBody}. */
export type ConsultationBody = z.infer<typeof ConsultationBody>;

/** A message in a consultation's thread. */
export const MessageBody = z.object({ text: z.string().min(1).max(20_000) });
/** See {@link MessageBody}. */
export type MessageBody = z.infer<typeof MessageBody>;

/** A record a conclusion is about, bound by the SHA-256 of the exact bytes the kit sent. */
export const RecordRef = z.object({ id: z.string().min(1).max(64), sha256: sha256Hex });
/** See {@link RecordRef}. */
export type RecordRef = z.infer<typeof RecordRef>;

/**
 * A signed conclusion (body of a `conclusion` item; the item signature is the specialist's):
 * the whole text, and its parts where the specialist gave them (findings, diagnosis with its
 * ICD-10 code, recommendations, referral), shown apart on the tablet.
 */
export const ConclusionBody = z.object({
  /** Findings and the conclusion itself. */
  text: z.string().min(1).max(50_000),
  /** The diagnosis as the specialist wrote it (older conclusions put an ICD-10 code here). */
  diagnosis: z.string().max(200).optional(),
  /** The diagnosis's ICD-10 code, when the specialist coded it (`I20.0`). */
  icd10: z
    .string()
    .regex(/^[A-Z][0-9]{2}(\.[0-9A-Z]{1,4})?$/)
    .optional(),
  /** What the specialist found in the records (optional structured parts of the conclusion). */
  findings: z.string().max(20_000).optional(),
  recommendations: z.string().max(20_000).optional(),
  /**
   * The in-person referral: `true` when the patient must be seen in person (the console's
   * checkbox), or where and how to refer as text (the simulated specialist writes that).
   */
  referral: z.union([z.boolean(), z.string().min(1).max(2000)]).optional(),
  refersTo: z.array(RecordRef).min(1).max(2000),
});
/** See {@link ConclusionBody}. */
export type ConclusionBody = z.infer<typeof ConclusionBody>;
