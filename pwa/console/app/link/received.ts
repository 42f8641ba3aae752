import { toHex } from '../../../../crypto/bytes.ts';
import type { Directory } from '../../../../crypto/directory.ts';
import type { EnvelopeOpener } from '../../../../crypto/envelope.ts';
import { decryptEnvelope } from '../../../../crypto/envelope.ts';
import { isLinkCryptoError } from '../../../../crypto/link-error.ts';
import { looksLikeReceipt, verifyReceipt } from '../../../../crypto/receipt.ts';
import { itemSignatureValid, parseSignedItem } from '../../../../crypto/signed-item.ts';
import { ObjectRefusal } from '../net/link-socket.ts';
import { browserCompressor } from './compressor.ts';

/** A received item as the console keeps it (verified or not: a bad one is kept, with reasons). */
export interface ConsoleItem {
  readonly type: 'item';
  readonly envelopeId: string;
  readonly itemId: string;
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly pri: number;
  /** When the sender signed it (its clock), ms. */
  readonly at: number;
  readonly receivedAt: number;
  readonly ref?: string;
  readonly media?: string;
  readonly body: Uint8Array;
  readonly verified: boolean;
  readonly reasons: readonly string[];
}

/** A delivery receipt about something this console sent. */
export interface ConsoleReceipt {
  readonly type: 'receipt';
  readonly id: string;
  /** The envelope it is about (hex). */
  readonly envelopeId: string;
  readonly state: string;
  readonly from: string;
  readonly at: number;
}

/** What the console needs to open and judge an object. */
export interface OpenContext {
  readonly opener: EnvelopeOpener;
  /** The directory verified against the org key pinned at enrolment. */
  readonly directory: Directory | undefined;
  /** This console's identity id. */
  readonly me: string;
}

/**
 * Opens an object the hub forwarded: a receipt (verified signature, signer listed in the
 * directory) or an envelope decrypted with the device key, whose item signature, sender device
 * and header are checked against the pinned directory. An envelope not for us is refused; an
 * item that does not verify is kept with the reasons, as on the kit, never shown as valid.
 */
export async function openReceived(
  id: string,
  bytes: Uint8Array,
  ctx: OpenContext,
): Promise<ConsoleItem | ConsoleReceipt> {
  try {
    if (looksLikeReceipt(bytes)) {
      const receipt = await verifyReceipt(bytes);
      if (!ctx.directory?.isDeviceOf(receipt.fields.from, receipt.fields.key))
        throw new ObjectRefusal('unknown_sender', `receipt signer is not a device of ${receipt.fields.from}`);
      return {
        type: 'receipt',
        id,
        envelopeId: toHex(receipt.fields.env),
        state: receipt.fields.state,
        from: receipt.fields.from,
        at: receipt.fields.at,
      };
    }
    const d = await decryptEnvelope(bytes, [ctx.opener], browserCompressor);
    const dir = ctx.directory;
    if (d.header.to !== ctx.me && !dir?.recipientsOf(d.header.to).includes(ctx.me))
      throw new ObjectRefusal('not_addressed', `addressed to ${d.header.to}`);
    const fields = parseSignedItem(d.signed);
    const reasons: string[] = [];
    if (!(await itemSignatureValid(d.signed, d.signature, fields.key)))
      reasons.push('bad_signature: the signature does not verify');
    if (!dir) reasons.push('no_directory: no verified directory to check the sender against');
    else if (!dir.isDeviceOf(fields.from, fields.key))
      reasons.push(`unknown_sender: ${fields.from} has no such device in directory ${dir.serial}`);
    if (fields.to !== d.header.to || fields.pri !== d.header.pri)
      reasons.push('header_mismatch: the signed recipient or priority differs from the envelope');
    if (fields.kind === 'consultation' && dir && dir.identity(fields.from)?.role !== 'kit')
      reasons.push(`not_a_kit: ${fields.from} is not a kit`);
    return {
      type: 'item',
      envelopeId: id,
      itemId: toHex(fields.id),
      kind: fields.kind,
      from: fields.from,
      to: fields.to,
      pri: fields.pri,
      at: fields.at,
      receivedAt: Date.now(),
      ...(fields.ref ? { ref: fields.ref } : {}),
      ...(fields.media ? { media: fields.media } : {}),
      body: fields.body,
      verified: reasons.length === 0,
      reasons,
    };
  } catch (error) {
    if (error instanceof ObjectRefusal) throw error;
    if (isLinkCryptoError(error)) {
      const code =
        error.code === 'not_addressed' || error.code === 'decrypt_failed' || error.code === 'bad_signature'
          ? error.code
          : 'malformed_object';
      throw new ObjectRefusal(code, error.message);
    }
    throw error;
  }
}
