import { fromHex } from '../../../../crypto/bytes.ts';
import type { Directory } from '../../../../crypto/directory.ts';
import type { SealedEnvelope } from '../../../../crypto/envelope.ts';
import { sealEnvelope } from '../../../../crypto/envelope.ts';
import type { Receipt, ReceiptState } from '../../../../crypto/receipt.ts';
import { signReceipt } from '../../../../crypto/receipt.ts';
import type { Signer } from '../../../../crypto/signed-item.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import { encodeWire } from '../../../../crypto/wire-cbor.ts';
import type { ConclusionBody, MessageBody } from '../../../../runtime/link/items.ts';
import {
  ConclusionBody as ConclusionSchema,
  MessageBody as MessageSchema,
  RECEIPT_PRIORITY,
  priorityOf,
} from '../../../../runtime/link/items.ts';
import { browserCompressor } from '../link/compressor.ts';

/** Who answers, and the directory that says where the answer goes. */
export interface AnswerContext {
  readonly signer: Signer;
  /** This console's identity id. */
  readonly me: string;
  readonly directory: Directory;
}

/** Why an answer could not be sealed. */
export class AnswerError extends Error {
  override readonly name = 'AnswerError';
}

/**
 * The consultation an answer belongs to: the kit that sent it, its item id (signed into the
 * answer as `ref`) and its envelope id (put in the clear header as `re`, so the hub can refuse a
 * reply from someone who does not hold the consultation; the hub refuses a reply without one).
 */
export interface AnswerTarget {
  readonly from: string;
  readonly itemId: string;
  readonly envelopeId: string;
}

const ENVELOPE_ID = /^[0-9a-f]{64}$/;

async function seal(
  ctx: AnswerContext,
  kind: 'conclusion' | 'message' | 'voice',
  target: AnswerTarget,
  body: Uint8Array,
  media = 'application/cbor',
): Promise<SealedEnvelope> {
  const to = target.from;
  const ref = target.itemId;
  if (!ENVELOPE_ID.test(target.envelopeId))
    throw new AnswerError('the answer does not name the envelope of the consultation it answers');
  const recipients = ctx.directory.sealingKeysFor(to);
  if (recipients.length === 0) throw new AnswerError(`${to} is not in the organisation directory`);
  const s = await getSodium();
  return sealEnvelope({
    item: {
      id: s.randombytes_buf(16),
      kind,
      from: ctx.me,
      to,
      at: Date.now(),
      pri: priorityOf(kind),
      ref,
      media,
      body,
    },
    signer: ctx.signer,
    recipients,
    compressor: browserCompressor,
    re: target.envelopeId,
  });
}

/**
 * A structured conclusion signed in the browser with the device's Ed25519 key and sealed to the
 * kit's devices: the signed item names the consultation it answers, and its body binds the
 * SHA-256 of every record it refers to, so the kit can verify it offline against exactly what it
 * sent. Schema-checked before signing.
 */
export async function sealConclusion(
  ctx: AnswerContext,
  consultation: AnswerTarget,
  conclusion: ConclusionBody,
): Promise<SealedEnvelope> {
  const parsed = ConclusionSchema.safeParse(conclusion);
  if (!parsed.success) throw new AnswerError(parsed.error.issues[0]?.message ?? 'invalid conclusion');
  return seal(ctx, 'conclusion', consultation, encodeWire(parsed.data));
}

/** A text message in the consultation's thread, signed and sealed the same way. */
export async function sealMessage(
  ctx: AnswerContext,
  consultation: AnswerTarget,
  message: MessageBody,
): Promise<SealedEnvelope> {
  const parsed = MessageSchema.safeParse(message);
  if (!parsed.success) throw new AnswerError(parsed.error.issues[0]?.message ?? 'invalid message');
  return seal(ctx, 'message', consultation, encodeWire(parsed.data));
}

/** Largest voice message the console sends (about two minutes of Opus at 32 kbit/s, with room). */
export const MAX_VOICE_BYTES = 1024 * 1024;
/** Media types a voice message may have: what MediaRecorder makes (WebM or Ogg Opus, MP4 AAC). */
export const VOICE_MEDIA = /^audio\/(webm|ogg|mp4)(;\s*codecs="?[a-z0-9.]{1,20}"?)?$/i;

/**
 * A voice message in the consultation's thread: the recorded bytes as they came from
 * MediaRecorder, signed and sealed like any answer (item kind 'voice', naming the consultation it
 * answers), so the kit verifies who spoke before the tablet plays it. Size and type checked.
 */
export async function sealVoice(
  ctx: AnswerContext,
  consultation: AnswerTarget,
  voice: { bytes: Uint8Array; media: string },
): Promise<SealedEnvelope> {
  if (voice.bytes.byteLength === 0) throw new AnswerError('the recording is empty');
  if (voice.bytes.byteLength > MAX_VOICE_BYTES)
    throw new AnswerError(`the recording is ${voice.bytes.byteLength} bytes, more than ${MAX_VOICE_BYTES}`);
  if (!VOICE_MEDIA.test(voice.media)) throw new AnswerError(`not a voice recording: ${voice.media}`);
  return seal(ctx, 'voice', consultation, voice.bytes, voice.media);
}

/** A signed receipt for an envelope this console received ('read' when the case is claimed). */
export async function receiptFor(
  ctx: AnswerContext,
  envelopeId: string,
  to: string,
  state: ReceiptState,
): Promise<Receipt> {
  const env = fromHex(envelopeId);
  if (!env) throw new AnswerError('not an envelope id');
  return signReceipt({ env, state, at: Date.now(), from: ctx.me, to, pri: RECEIPT_PRIORITY }, ctx.signer);
}
