/**
 * Why a peer refused something it received. Sent back in a NACK frame, counted per code by the
 * receiver (see {@link RejectCounters}), and never the cause of a crash or a partial write.
 */
export type RejectCode =
  /** The frame's bytes are not one CBOR item. */
  | 'malformed_cbor'
  /** CBOR, but not a frame of this protocol (unknown type, wrong fields). */
  | 'bad_frame'
  /** A frame larger than the carrier's limit. */
  | 'frame_too_large'
  /** A chunk larger than the chunk limit, or not a whole number of blocks. */
  | 'oversized_chunk'
  /** A chunk whose data does not match the manifest's SHA-256 for its blocks. */
  | 'hash_mismatch'
  /** All blocks arrived but their SHA-256 is not the announced id. */
  | 'id_mismatch'
  /** A chunk for an object never offered on this session. */
  | 'unknown_item'
  /** An object (envelope, receipt, directory) that does not parse. */
  | 'malformed_object'
  /** An object larger than its format allows. */
  | 'too_large'
  /** A signature that does not verify. */
  | 'bad_signature'
  /** The signer is not a current device of the named identity. */
  | 'unknown_sender'
  /** A signed item already received in another envelope (a replay). */
  | 'replay'
  /** An address that is not an enrolled (or listed) identity. */
  | 'unknown_peer'
  /** Not wrapped for any of our devices. */
  | 'not_addressed'
  /** The content does not open with our key. */
  | 'decrypt_failed'
  /** Signed fields disagree with the clear header. */
  | 'header_mismatch'
  /** The peer may not send this (a receipt signed by someone else, a spoofed sender). */
  | 'not_allowed'
  /** The receiver could not commit it (disk); the sender retries later. */
  | 'storage_failed'
  /** Kept by the receiver, but it does not verify (a conclusion whose record hashes differ...). */
  | 'unverified'
  /** A reply to a consultation another specialist holds (the detail names the holder). */
  | 'taken'
  /**
   * A specialist's envelope that names no consultation (`re`): everything a specialist sends
   * through the hub answers one, so one without `re` is refused rather than passed unchecked.
   */
  | 'unbound_reply';

/** Every code, for counters and tests. */
export const REJECT_CODES: readonly RejectCode[] = [
  'malformed_cbor',
  'bad_frame',
  'frame_too_large',
  'oversized_chunk',
  'hash_mismatch',
  'id_mismatch',
  'unknown_item',
  'malformed_object',
  'too_large',
  'bad_signature',
  'unknown_sender',
  'replay',
  'unknown_peer',
  'not_addressed',
  'decrypt_failed',
  'header_mismatch',
  'not_allowed',
  'storage_failed',
  'unverified',
  'taken',
  'unbound_reply',
];

/** Counts refusals by code: what a status page and the bad-input tests read. */
export class RejectCounters {
  readonly #counts = new Map<RejectCode, number>();

  /** Adds one refusal. */
  count(code: RejectCode): void {
    this.#counts.set(code, (this.#counts.get(code) ?? 0) + 1);
  }

  /** The count of one code. */
  get(code: RejectCode): number {
    return this.#counts.get(code) ?? 0;
  }

  /** All non-zero counts. */
  snapshot(): Partial<Record<RejectCode, number>> {
    return Object.fromEntries(this.#counts);
  }

  /** Sum over every code. */
  get total(): number {
    let n = 0;
    for (const v of this.#counts.values()) n += v;
    return n;
  }
}

/** A refusal raised inside the link layer, carrying its wire code. */
export class LinkRejectError extends Error {
  constructor(
    readonly code: RejectCode,
    message: string,
  ) {
    super(message);
    this.name = 'LinkRejectError';
  }
}
