import type { DeliveryState, WireAnswer, WireDelivery } from '../../../runtime/http/api/wire-types.ts';
import type { TextKey } from '../../shared/i18n/i18n.ts';
import { timeOfDay } from './format.ts';
import type { Words } from './state/context.ts';

/** The words of each delivery state (the link's truth, never more than it says). */
export const DELIVERY_WORDS: Readonly<Record<DeliveryState, TextKey>> = {
  stored: 'stateStored',
  queued: 'stateQueued',
  sending: 'stateSending',
  'at-hub': 'stateAtHub',
  delivered: 'stateDelivered',
  read: 'stateRead',
  answered: 'stateAnswered',
};

/** Kilobytes with one decimal below 10, whole above (what fits a status line). */
function kb(w: Words, bytes: number): string {
  const k = bytes / 1024;
  return k.toLocaleString(w.tag, { maximumFractionDigits: k < 10 ? 1 : 0 });
}

/**
 * Where an item is, in one line: the state, the bytes acknowledged while it crosses, and a
 * refusal's retry time. "Sending" is only said with the bytes the receiver confirmed.
 */
export function deliveryText(w: Words, d: WireDelivery): string {
  const parts = [w.t(DELIVERY_WORDS[d.state])];
  if (d.state === 'sending' && d.bytes)
    parts.push(
      `${Math.round((d.bytes.sent / Math.max(1, d.bytes.total)) * 100)} % · ${w.t('bytesOf', {
        sent: kb(w, d.bytes.sent),
        total: kb(w, d.bytes.total),
      })}`,
    );
  else if (d.state === 'sending' && d.progress !== null) parts.push(`${Math.round(d.progress * 100)} %`);
  if (d.retryAt) parts.push(w.t('retryAt', { time: timeOfDay(w, d.retryAt) }));
  return parts.join(' · ');
}

const REASONS: Readonly<Record<string, TextKey>> = {
  bad_signature: 'reasonBadSignature',
  unknown_sender: 'reasonUnknownSender',
  no_directory: 'reasonNoDirectory',
  header_mismatch: 'reasonHeaderMismatch',
  not_a_specialist: 'reasonNotSpecialist',
  malformed_conclusion: 'reasonMalformed',
  unknown_consultation: 'reasonUnknownConsultation',
  unknown_record: 'reasonUnknownRecord',
  record_hash_mismatch: 'reasonRecordMismatch',
  unbound_reply: 'reasonUnboundReply',
  reply_mismatch: 'reasonReplyMismatch',
  not_addressed_to_signer: 'reasonNotAddressedToSigner',
};

/**
 * How a signature is shown: "подпись проверена" only when the kit checked it against the pinned
 * directory; otherwise "подпись не проверена" with each failed check in the tablet's words.
 */
export function signatureLabel(w: Words, a: WireAnswer): { text: string; verified: boolean } {
  if (a.signature === null) return { text: w.t('unsigned'), verified: false };
  if (a.signature.verified)
    return {
      text: `✔ ${w.t('verified')}${a.signature.signer ? ` · ${a.signature.signer}` : ''}`,
      verified: true,
    };
  const codes = [...new Set(a.signature.reasons ?? [])];
  const reason =
    codes.length > 0 ? codes.map((c) => w.t(REASONS[c] ?? 'reasonOther')).join('; ') : w.t('reasonOther');
  return { text: `⚠ ${w.t('signatureFailed', { reason })}`, verified: false };
}
