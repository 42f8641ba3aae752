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
 * Whether compressing an item's content pays: records (CBOR) and waveforms (an ECG strip file
 * deflates to ~42%) do, already compressed media (JPEG, Opus, PNG, MP4...) do not and only cost
 * CPU.
 *
 * Compressing before sealing is safe here, and only because of how items are made: each envelope
 * compresses one signed item on its own (never two items, never key material: the content key is
 * wrapped outside the compressed plaintext), and its content is authored on the kit (records,
 * waveforms from the kit's own instruments, the brigade's own text). A length attack of the
 * CRIME/BREACH kind needs attacker-chosen bytes compressed together with a secret, and many
 * observed lengths; no item mixes the two. An item kind that ever carries attacker-controlled
 * content beside secrets (a stranger's text forwarded inside a patient record, say) must be
 * sent uncompressed: return false for its media type here.
 */
export function worthCompressing(media: string | undefined): boolean {
  if (!media) return true;
  return !/^(image\/(jpeg|png|webp|heic|avif)|audio\/(ogg|opus|mpeg|aac|mp4|webm)|video\/)/.test(media);
}
