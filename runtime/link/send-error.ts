/**
 * Largest body an item carries inline in the store's outbox record. That record is read back only
 * up to the store's 1 MiB, so a larger inline body was queued, sent, and then could never be
 * acknowledged (removed) or reloaded after a restart. Larger items are stored as a blob first and
 * sent by `attachmentId` (as photos and ECG strips from the tablet already are).
 */
export const MAX_INLINE_BODY_BYTES = 512 * 1024;

/** An item refused before it was queued (nothing was stored), with the reason. */
export class SendInputError extends Error {
  constructor(
    readonly code: 'body_too_large',
    message: string,
  ) {
    super(message);
    this.name = 'SendInputError';
  }
}
