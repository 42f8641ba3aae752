/** What went wrong with key material, as a code the store maps onto its own errors. */
export type KeyErrorCode = 'wrong_secret' | 'corrupt_header' | 'weak_passphrase';

/**
 * A typed error for the key hierarchy: a wrong passphrase and a damaged header must be told
 * apart from bugs, and neither may leak the secret in its message.
 */
export class KeyError extends Error {
  readonly code: KeyErrorCode;
  constructor(code: KeyErrorCode, message: string) {
    super(message);
    this.name = 'KeyError';
    this.code = code;
  }
}
