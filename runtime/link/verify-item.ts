import { toHex } from '../../crypto/bytes.ts';
import type { Directory } from '../../crypto/directory.ts';
import type { SignedItemFields } from '../../crypto/signed-item.ts';
import { itemSignatureValid } from '../../crypto/signed-item.ts';
import { decodeWire } from '../../crypto/wire-cbor.ts';
import type { RecordRef } from './items.ts';
import { ConclusionBody } from './items.ts';

/** Whether a received item can be trusted, and every reason it cannot. */
export interface Verdict {
  readonly verified: boolean;
  readonly reasons: readonly string[];
}

/** One item this endpoint sent, as far as binding a reply to it needs. */
export interface SentItem {
  readonly itemId: string;
  readonly kind: string;
  /** The identity or team it was addressed to. */
  readonly to: string;
}

/** What verification needs beyond the item: the kit's own record of what it sent. */
export interface VerifyContext {
  readonly directory: Directory | undefined;
  /** The records (and their SHA-256) the consultation with this item id carried, if it is ours. */
  readonly sentRecords: (itemId: string) => readonly RecordRef[] | undefined;
  /** The clear header the envelope carried (`re`: the envelope id of the consultation it answers). */
  readonly header?: { readonly to: string; readonly pri: number; readonly re?: string | undefined };
  /**
   * Our own sent items, by item id and by envelope id: a reply is bound to the consultation it
   * answers (see {@link checkReplyBinding}). Absent: replies are not checked for it.
   */
  readonly sent?: {
    byItemId(itemId: string): SentItem | undefined;
    byEnvelopeId(envelopeId: string): SentItem | undefined;
  };
}

/**
 * Checks a received item offline, against the pinned directory only: the signature over the
 * exact signed bytes, that the key is a current device of the named sender, that the signed
 * fields match the clear header, and for a conclusion that the sender is a specialist and every
 * record it refers to is one the kit sent, byte for byte (SHA-256); and that a reply names, in
 * its envelope's `re`, the very consultation its signed `ref` answers, one we sent to its signer
 * (or to a team the signer is in). A bad item is kept and shown unverified with these reasons;
 * re-running this later gives the same answer.
 */
export async function verifyItem(
  fields: SignedItemFields,
  signed: Uint8Array,
  signature: Uint8Array,
  ctx: VerifyContext,
): Promise<Verdict> {
  const reasons: string[] = [];
  if (!(await itemSignatureValid(signed, signature, fields.key)))
    reasons.push('bad_signature: the signature does not verify');
  const dir = ctx.directory;
  const sender = dir?.identity(fields.from);
  if (!dir) reasons.push('no_directory: no verified directory to check the sender against');
  else if (!dir.isDeviceOf(fields.from, fields.key))
    reasons.push(
      `unknown_sender: ${fields.from} has no device with key ${toHex(fields.key).slice(0, 16)} in directory ${dir.serial}`,
    );
  if (ctx.header && (ctx.header.to !== fields.to || ctx.header.pri !== fields.pri))
    reasons.push('header_mismatch: the signed recipient or priority differs from the envelope');
  if (fields.kind === 'conclusion') {
    if (sender && sender.role !== 'specialist')
      reasons.push(`not_a_specialist: ${fields.from} is a ${sender.role}`);
    reasons.push(...checkConclusion(fields, ctx));
  }
  reasons.push(...checkReplyBinding(fields, ctx));
  return { verified: reasons.length === 0, reasons };
}

/**
 * A reply (a conclusion, anything whose envelope names a consultation in `re`, or anything whose
 * signed `ref` names an item we sent) must be bound to the consultation it answers: the hub
 * admits a reply only from the specialist who holds the consultation its `re` names, so a reply
 * with no `re`, a `re` naming nothing we sent, a `re` and a `ref` naming two different items, or
 * a consultation sent to someone else than the signer is not shown as valid.
 */
export function checkReplyBinding(fields: SignedItemFields, ctx: VerifyContext): string[] {
  const sent = ctx.sent;
  if (!sent) return [];
  const re = ctx.header?.re;
  const answersOurs = fields.ref !== undefined && sent.byItemId(fields.ref) !== undefined;
  if (re === undefined && fields.kind !== 'conclusion' && !answersOurs) return [];
  if (re === undefined) return ['unbound_reply: the envelope does not name the consultation it answers (re)'];
  const consultation = sent.byEnvelopeId(re);
  if (!consultation || consultation.kind !== 'consultation')
    return [`unknown_consultation: re ${re.slice(0, 16)} is not a consultation this kit sent`];
  const out: string[] = [];
  if (fields.ref !== consultation.itemId)
    out.push(
      `reply_mismatch: re names consultation ${consultation.itemId}, the signed ref ${fields.ref ?? 'nothing'}`,
    );
  const to = consultation.to;
  if (to !== fields.from && !(ctx.directory?.recipientsOf(to) ?? []).includes(fields.from))
    out.push(
      `not_addressed_to_signer: consultation ${consultation.itemId} went to ${to}, not ${fields.from}`,
    );
  return out;
}

function checkConclusion(fields: SignedItemFields, ctx: VerifyContext): string[] {
  const decoded = decodeWire(fields.body);
  const body = decoded.ok ? ConclusionBody.safeParse(decoded.value) : undefined;
  if (!body?.success) return ['malformed_conclusion: the conclusion body does not match its schema'];
  if (!fields.ref) return ['unknown_consultation: the conclusion names no consultation'];
  const sent = ctx.sentRecords(fields.ref);
  if (!sent) return [`unknown_consultation: ${fields.ref} is not a consultation this kit sent`];
  const byId = new Map(sent.map((r) => [r.id, r.sha256]));
  const out: string[] = [];
  for (const ref of body.data.refersTo) {
    const mine = byId.get(ref.id);
    if (!mine) out.push(`unknown_record: ${ref.id} was not sent with the consultation`);
    else if (mine !== ref.sha256) out.push(`record_hash_mismatch: ${ref.id} differs from what the kit sent`);
  }
  return out;
}
