import type { Compressor } from '../../../../crypto/envelope.ts';

async function pump(stream: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`inflated past ${maxBytes} bytes`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function through(kind: 'compress' | 'decompress', bytes: Uint8Array, maxBytes: number): Promise<Uint8Array> {
  const transform =
    kind === 'compress' ? new CompressionStream('deflate-raw') : new DecompressionStream('deflate-raw');
  const source = new Blob([bytes as BlobPart]).stream();
  return pump(source.pipeThrough(transform), maxBytes);
}

/**
 * Raw deflate in the browser (CompressionStream 'deflate-raw'), the same format the kit's
 * node:zlib writes into envelopes. Inflating stops at the caller's limit (a deflate bomb ends as
 * an error, not as memory exhaustion).
 */
export const browserCompressor: Compressor = {
  deflate: (plain) => through('compress', plain, Number.MAX_SAFE_INTEGER),
  inflate: (packed, maxBytes) => through('decompress', packed, maxBytes),
};
