import { toHex } from '../../crypto/bytes.ts';
import type { Directory } from '../../crypto/directory.ts';
import { readEnvelopeHeader } from '../../crypto/envelope.ts';
import { isLinkCryptoError } from '../../crypto/link-error.ts';
import { looksLikeReceipt, verifyReceipt } from '../../crypto/receipt.ts';
import { LinkRejectError } from '../link/reject.ts';
import type { Enrolments } from './enrolment.ts';
import type { MailboxRoute } from './mailbox.ts';

/**
 * Decides where an uploaded object goes, from what the hub can read of it: an envelope's clear
 * header (address, priority), or a receipt's signed fields (which must be signed by the very
 * device that uploads it). Only enrolled identities are routed to; a team address reaches its
 * members' enrolled devices (membership from the directory the hub serves). The hub never opens
 * an envelope.
 */
export class Router {
  readonly #enrolments: Enrolments;
  readonly #directory: () => Directory | undefined;

  constructor(enrolments: Enrolments, directory: () => Directory | undefined) {
    this.#enrolments = enrolments;
    this.#directory = directory;
  }

  /** The route of an object uploaded by `fromDevice` (hex key); a typed refusal otherwise. */
  async route(bytes: Uint8Array, fromDevice: string): Promise<MailboxRoute> {
    const sender = await this.#enrolments.active(fromDevice);
    if (!sender) throw new LinkRejectError('not_allowed', 'the uploading device is not enrolled');
    let to: string;
    let priority: MailboxRoute['priority'];
    let kind: MailboxRoute['kind'];
    let re: string | undefined;
    try {
      if (looksLikeReceipt(bytes)) {
        const receipt = await verifyReceipt(bytes);
        if (toHex(receipt.fields.key) !== fromDevice || receipt.fields.from !== sender.identity)
          throw new LinkRejectError('not_allowed', 'a receipt must be signed by the device that sends it');
        ({ to, pri: priority } = receipt.fields);
        kind = 'receipt';
      } else {
        ({ to, pri: priority, re } = readEnvelopeHeader(bytes).header);
        kind = 'envelope';
      }
    } catch (error) {
      if (error instanceof LinkRejectError) throw error;
      if (isLinkCryptoError(error, 'bad_signature'))
        throw new LinkRejectError('bad_signature', error.message);
      if (isLinkCryptoError(error, 'too_large')) throw new LinkRejectError('too_large', error.message);
      if (isLinkCryptoError(error)) throw new LinkRejectError('malformed_object', error.message);
      throw error;
    }
    const recipients = (await this.devicesFor(to)).filter((d) => d !== fromDevice);
    if (recipients.length === 0) throw new LinkRejectError('unknown_peer', `no enrolled device for ${to}`);
    return { to, priority, kind, from: fromDevice, recipients, ...(re ? { re } : {}) };
  }

  /** Enrolled devices an address reaches (a team: its members' devices too). */
  async devicesFor(address: string): Promise<string[]> {
    const identities = this.#directory()?.recipientsOf(address) ?? [];
    const all = new Set<string>(await this.#enrolments.devicesOf(address));
    for (const id of identities) for (const d of await this.#enrolments.devicesOf(id)) all.add(d);
    return [...all];
  }
}
