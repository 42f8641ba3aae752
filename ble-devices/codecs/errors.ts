/**
 * The only error a codec throws. Instrument bytes are untrusted input: every failure names the
 * codec, the field and the byte offset so a dropped frame can be counted and explained.
 */
export type CodecErrorCode =
  | 'truncated'
  | 'too_long'
  | 'trailing_bytes'
  | 'invalid_value'
  | 'unknown_codec'
  | 'bad_hex'
  /** Well-formed but a variant the kit does not decode (e.g. a compressed PMD frame). */
  | 'unsupported';

/** Typed decode/encode failure; `toString()` is the one-line message the CLI prints. */
export class CodecError extends Error {
  constructor(
    readonly code: CodecErrorCode,
    readonly codec: string,
    readonly field: string,
    readonly offset: number,
    detail: string,
  ) {
    super(`${code}: ${codec}.${field} at offset ${offset}: ${detail}`);
    this.name = 'CodecError';
  }
}
