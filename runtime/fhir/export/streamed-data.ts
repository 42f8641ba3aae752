import { createHash } from 'node:crypto';

/**
 * Placeholders a mapper puts where an attachment's bytes and hash go; the bundle writer replaces
 * them while streaming the blob from the store (base64, SHA-1), so memory stays flat whatever the
 * size of a photo or a recording. They start with a control character, which no exported text
 * keeps (fhirText removes them), so they cannot be forged by content.
 */
export const STREAMED_DATA = '\u0001fk-stream-data';
/** See {@link STREAMED_DATA}. */
export const STREAMED_HASH = '\u0001fk-stream-hash';

/** The placeholders as JSON.stringify writes them. */
export const STREAMED_DATA_JSON = JSON.stringify(STREAMED_DATA);
/** See {@link STREAMED_DATA_JSON}. */
export const STREAMED_HASH_JSON = JSON.stringify(STREAMED_HASH);

/**
 * Base64 of a byte stream written piece by piece: whole 3-byte groups go out as they come, the
 * remainder waits for the next chunk. Also computes the SHA-1 (base64) FHIR's Attachment.hash
 * holds, and counts the bytes.
 */
export class Base64Stream {
  #carry: Buffer = Buffer.alloc(0);
  readonly #sha1 = createHash('sha1');
  #bytes = 0;

  /** Base64 text for the chunk's complete 3-byte groups (and any carried bytes). */
  push(chunk: Uint8Array): string {
    this.#sha1.update(chunk);
    this.#bytes += chunk.byteLength;
    const all = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : Buffer.from(chunk);
    const whole = all.length - (all.length % 3);
    this.#carry = Buffer.from(all.subarray(whole));
    return all.subarray(0, whole).toString('base64');
  }

  /** The last base64 characters (with padding). */
  end(): string {
    const out = this.#carry.toString('base64');
    this.#carry = Buffer.alloc(0);
    return out;
  }

  /** SHA-1 of everything pushed, base64. */
  get hash(): string {
    return this.#sha1.copy().digest('base64');
  }

  /** Bytes pushed. */
  get bytes(): number {
    return this.#bytes;
  }
}
