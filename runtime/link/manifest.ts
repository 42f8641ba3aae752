import { createHash } from 'node:crypto';
import { BLOCK_BYTES, HASH_BYTES, blockCount } from './frames.ts';

/**
 * Content addressing of large objects, as Syncthing's BEP does for files: the object is cut into
 * fixed 4 KiB blocks, each with its SHA-256 in the manifest that the OFFER frame carries, so a
 * receiver checks every chunk on arrival and keeps only verified blocks; the object's id (the
 * SHA-256 of all its bytes) is checked once all blocks are held.
 */

/** SHA-256 of bytes, hex. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** SHA-256 of bytes, raw. */
export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** The manifest of an object: the concatenated SHA-256 of each block. */
export function buildManifest(object: Uint8Array): Uint8Array {
  const n = blockCount(object.byteLength);
  const out = new Uint8Array(n * HASH_BYTES);
  for (let i = 0; i < n; i++) {
    const block = object.subarray(i * BLOCK_BYTES, Math.min(object.byteLength, (i + 1) * BLOCK_BYTES));
    out.set(createHash('sha256').update(block).digest(), i * HASH_BYTES);
  }
  return out;
}

/** Byte length of block `index` of an object of `size` bytes. */
export function blockLength(size: number, index: number): number {
  return Math.min(BLOCK_BYTES, size - index * BLOCK_BYTES);
}

/** Byte length of `count` blocks from `first`. */
export function rangeLength(size: number, first: number, count: number): number {
  return Math.min(size, (first + count) * BLOCK_BYTES) - first * BLOCK_BYTES;
}

/**
 * Checks a chunk (consecutive whole blocks from `first`; the object's last block may be short)
 * against the manifest. Returns the number of blocks, or a description of what is wrong.
 */
export function checkChunk(
  size: number,
  hashes: Uint8Array,
  first: number,
  data: Uint8Array,
): { ok: true; count: number } | { ok: false; code: 'oversized_chunk' | 'hash_mismatch'; detail: string } {
  const total = blockCount(size);
  if (first >= total) return { ok: false, code: 'oversized_chunk', detail: `block ${first} of ${total}` };
  const count = Math.ceil(data.byteLength / BLOCK_BYTES);
  if (first + count > total || data.byteLength !== rangeLength(size, first, count))
    return {
      ok: false,
      code: 'oversized_chunk',
      detail: `chunk of ${data.byteLength} bytes at block ${first}`,
    };
  for (let i = 0; i < count; i++) {
    const block = data.subarray(i * BLOCK_BYTES, Math.min(data.byteLength, (i + 1) * BLOCK_BYTES));
    const want = hashes.subarray((first + i) * HASH_BYTES, (first + i + 1) * HASH_BYTES);
    const got = createHash('sha256').update(block).digest();
    if (!got.equals(want)) return { ok: false, code: 'hash_mismatch', detail: `block ${first + i}` };
  }
  return { ok: true, count };
}
