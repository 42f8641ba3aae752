import type { LinkEntry, LinkRecordBody, LinkTx, RecordStore } from '../../store/index.ts';
import { BLOCK_BYTES, blockCount } from './frames.ts';

/** The slice of the record store the link keeps its state in (see store/link-records.ts). */
export type LinkKv = Pick<RecordStore, 'linkGet' | 'linkScan' | 'linkCount' | 'linkTransaction'>;

export type { LinkEntry, LinkRecordBody, LinkTx };

/** Fixed-width hex of a block index, so block records sort in block order. */
export function blockKey(prefix: string, index: number): string {
  return `${prefix}${index.toString(16).padStart(6, '0')}`;
}

/** Writes `count` blocks from `first` (one record per 4 KiB block) inside a transaction. */
export function putBlockRecords(
  tx: LinkTx,
  prefix: string,
  first: number,
  count: number,
  data: Uint8Array,
): void {
  for (let i = 0; i < count; i++) {
    const block = data.subarray(i * BLOCK_BYTES, Math.min(data.byteLength, (i + 1) * BLOCK_BYTES));
    tx.put(blockKey(prefix, first + i), { d: block });
  }
}

/** Deletes the block records of an object of `size` bytes inside a transaction. */
export function deleteBlockRecords(tx: LinkTx, prefix: string, size: number): void {
  for (let i = 0; i < blockCount(size); i++) tx.delete(blockKey(prefix, i));
}

/** Reads `count` blocks from `first`; throws if one is missing (a caller bug or a damaged store). */
export async function readBlockRecords(
  kv: LinkKv,
  prefix: string,
  size: number,
  first: number,
  count: number,
): Promise<Uint8Array> {
  const end = Math.min(blockCount(size), first + count);
  const length = Math.min(size, end * BLOCK_BYTES) - first * BLOCK_BYTES;
  const out = new Uint8Array(Math.max(0, length));
  const entries = await kv.linkScan(prefix, end - first, blockKey(prefix, first));
  const byKey = new Map(entries.map((e) => [e.key, e.body]));
  for (let i = first; i < end; i++) {
    const d = byKey.get(blockKey(prefix, i))?.d;
    if (!(d instanceof Uint8Array)) throw new Error(`block ${i} of ${prefix} is missing`);
    out.set(d, (i - first) * BLOCK_BYTES);
  }
  return out;
}
