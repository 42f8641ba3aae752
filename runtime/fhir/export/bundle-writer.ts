import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { BundleEntry } from '../fhir-types.ts';
import { toFhirJson } from './fhir-json.ts';
import { Base64Stream, STREAMED_DATA_JSON, STREAMED_HASH_JSON } from './streamed-data.ts';

/** Why an export stopped: the output failed, or a blob did not match its record. */
export class ExportError extends Error {
  constructor(
    readonly code: 'output_failed' | 'blob_mismatch' | 'not_found' | 'bad_selection',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

/** Bytes gathered before a write to the output. */
const CHUNK = 64 * 1024;

function count(text: string, part: string): number {
  let n = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) n++;
  return n;
}

/**
 * Writes a FHIR transaction Bundle to a stream entry by entry, so an export of any size keeps
 * only the current entry in memory: the head, then each entry as it is mapped, then the tail.
 * Respects backpressure (waits for `drain`); an attachment's bytes are streamed into its entry.
 */
export class BundleWriter {
  readonly #out: Writable;
  // Text is encoded into a chunk as it comes, never concatenated: a 64 KB string of Cyrillic
  // text is 128 KB of UTF-16, which V8 puts straight into the old generation, where each
  // flushed one stayed until the next full collection (bench export, peak RSS at 10k visits).
  #chunk = Buffer.allocUnsafeSlow(CHUNK);
  #used = 0;
  #entries = 0;
  #bytes = 0;
  #failed: Error | undefined;
  readonly #onError = (err: Error): void => {
    this.#failed = err;
  };

  constructor(out: Writable) {
    this.#out = out;
    out.on('error', this.#onError);
  }

  /** Entries written so far. */
  get entries(): number {
    return this.#entries;
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bundle's head: a transaction, stamped with the export time. */
  async begin(timestamp: string): Promise<void> {
    await this.#write(
      `{"resourceType":"Bundle","type":"transaction","timestamp":${JSON.stringify(timestamp)},"entry":[`,
    );
  }

  /**
   * One entry. With `blob`, the entry's resource holds the streamed-data placeholders (see
   * streamed-data.ts) and the blob's bytes are written in their place, checked against `size`.
   */
  async add(entry: BundleEntry, blob?: { source: AsyncIterable<Uint8Array>; size: number }): Promise<void> {
    const json = toFhirJson(entry);
    const sep = this.#entries === 0 ? '\n' : ',\n';
    const dataMarks = count(json, STREAMED_DATA_JSON);
    const hashMarks = count(json, STREAMED_HASH_JSON);
    if (dataMarks !== (blob ? 1 : 0) || hashMarks !== (blob ? 1 : 0))
      throw new ExportError('blob_mismatch', `entry ${entry.fullUrl}: attachment placeholders out of place`);
    if (!blob) {
      await this.#write(sep + json);
      this.#entries++;
      return;
    }
    const at = json.indexOf(STREAMED_DATA_JSON);
    await this.#write(sep + json.slice(0, at) + '"');
    const b64 = new Base64Stream();
    for await (const chunk of blob.source) await this.#write(b64.push(chunk));
    await this.#write(b64.end() + '"');
    if (b64.bytes !== blob.size)
      throw new ExportError(
        'blob_mismatch',
        `entry ${entry.fullUrl}: the attachment holds ${b64.bytes} bytes, its record says ${blob.size}`,
      );
    await this.#write(
      json.slice(at + STREAMED_DATA_JSON.length).replace(STREAMED_HASH_JSON, JSON.stringify(b64.hash)),
    );
    this.#entries++;
  }

  /** The bundle's tail; flushes everything written. */
  async end(): Promise<void> {
    await this.#write(this.#entries === 0 ? ']}\n' : '\n]}\n');
    await this.#flush();
    this.#out.off('error', this.#onError);
  }

  async #write(text: string): Promise<void> {
    const size = Buffer.byteLength(text, 'utf8');
    if (this.#used + size > CHUNK) await this.#flush();
    if (size > CHUNK) {
      await this.#send(Buffer.from(text, 'utf8'));
      return;
    }
    this.#used += this.#chunk.write(text, this.#used, 'utf8');
  }

  async #flush(): Promise<void> {
    if (this.#failed)
      throw new ExportError('output_failed', `cannot write the export: ${this.#failed.message}`, {
        cause: this.#failed,
      });
    if (this.#used === 0) return;
    // The stream keeps the chunk until it is written: the next one is a new buffer.
    const chunk = this.#chunk.subarray(0, this.#used);
    this.#chunk = Buffer.allocUnsafeSlow(CHUNK);
    this.#used = 0;
    await this.#send(chunk);
  }

  async #send(chunk: Buffer): Promise<void> {
    if (this.#failed)
      throw new ExportError('output_failed', `cannot write the export: ${this.#failed.message}`, {
        cause: this.#failed,
      });
    this.#bytes += chunk.length;
    if (this.#out.write(chunk)) return;
    const stop = new AbortController();
    try {
      await Promise.race([
        once(this.#out, 'drain', { signal: stop.signal }),
        once(this.#out, 'error', { signal: stop.signal }).then(([err]) => {
          throw new ExportError('output_failed', `cannot write the export: ${(err as Error).message}`, {
            cause: err,
          });
        }),
      ]);
    } finally {
      stop.abort();
    }
  }
}
