import { promisify } from 'node:util';
import { deflateRaw, inflateRaw } from 'node:zlib';
import type { Compressor } from '../../crypto/envelope.ts';

const deflate = promisify(deflateRaw);
const inflate = promisify(inflateRaw);

/**
 * Raw deflate on Node (zlib's thread pool, off the event loop). A browser console uses
 * CompressionStream('deflate-raw'), which produces the same format.
 */
export const nodeCompressor: Compressor = {
  async deflate(plain) {
    return new Uint8Array(await deflate(plain, { level: 6 }));
  },
  async inflate(packed, maxBytes) {
    return new Uint8Array(await inflate(packed, { maxOutputLength: maxBytes }));
  },
};

/**
 * Whether compressing an item's content pays: records (CBOR) and waveforms do, already
 * compressed media (JPEG, Opus, PNG, MP4...) do not and only cost CPU.
 */
export function worthCompressing(media: string | undefined): boolean {
  if (!media) return true;
  return !/^(image\/(jpeg|png|webp|heic|avif)|audio\/(ogg|opus|mpeg|aac|mp4|webm)|video\/)/.test(media);
}
