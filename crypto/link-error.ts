/**
 * Why a link object (envelope, signed item, receipt, directory) was refused. The receiver
 * counts each code and answers it on the wire, so every rejection is typed, never a crash.
 */
export type LinkCryptoErrorCode =
  /** Not the format at all: bad magic, undecodable CBOR, wrong shape. */
  | 'malformed'
  /** Larger than the format's limit (before any work was spent on it). */
  | 'too_large'
  /** A format version this build does not know. */
  | 'unsupported_version'
  /** No wrapped key for any of our devices: not addressed to us. */
  | 'not_addressed'
  /** The content key or the ciphertext does not open (altered, or not ours). */
  | 'decrypt_failed'
  /** The sender's signature does not verify. */
  | 'bad_signature'
  /** The signer is not in the pinned directory (or was revoked). */
  | 'unknown_sender'
  /** The signed fields disagree with the clear header (re-addressed or re-prioritised). */
  | 'header_mismatch'
  /** Compressed content that does not inflate within the size limit. */
  | 'inflate_failed'
  /** A directory not signed by the pinned organisation key. */
  | 'wrong_org'
  /** A directory older than the one already pinned. */
  | 'rollback';

/** The typed error of every link format in crypto/ (see {@link LinkCryptoErrorCode}). */
export class LinkCryptoError extends Error {
  readonly code: LinkCryptoErrorCode;
  constructor(code: LinkCryptoErrorCode, message: string) {
    super(message);
    this.name = 'LinkCryptoError';
    this.code = code;
  }
}

/** Narrowing helper. */
export function isLinkCryptoError(error: unknown, code?: LinkCryptoErrorCode): error is LinkCryptoError {
  return error instanceof LinkCryptoError && (code === undefined || error.code === code);
}
