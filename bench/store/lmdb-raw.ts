import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open } from 'lmdb';
import { encodeCbor } from '../../store/cbor.ts';
import { ObservationInput } from '../../store/schema/observation.ts';
import { benchObservation } from './records.ts';
import { rate, settleHeap } from './timing.ts';

/**
 * The naive lmdb-js peer (`lmdb_encode_in_txn` in the bench): the same observations CBOR-encoded
 * inside 1,000-record transactions, sequential keys, each commit awaited before the next starts
 * and the last one flushed (fsync inside the commit, as ours). Not a ceiling: it cannot overlap
 * encoding with the previous flush, which ours does; see lmdb-ceiling.ts for the ceiling.
 */
export async function benchLmdbRaw(dir: string, count: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const env = open<Buffer, Buffer>({
    path: join(dir, 'raw.mdb'),
    encoding: 'binary',
    keyEncoding: 'binary',
    overlappingSync: false,
  });
  const bodies = Array.from({ length: count }, (_, i) => ObservationInput.parse(benchObservation(i)));
  settleHeap();
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) {
    await env.transaction(() => {
      for (let j = i; j < Math.min(count, i + 1000); j++) {
        const key = Buffer.allocUnsafe(8);
        key.writeBigUInt64BE(BigInt(j + 1));
        // recordedAt set in place: a spread copy is a slow-to-read object on Node 20 (~1.5 us per
        // encode), which would handicap the peer.
        const body = bodies[j] as Record<string, unknown>;
        body.recordedAt = new Date().toISOString();
        env.putSync(key, Buffer.from(encodeCbor(body)));
      }
    });
  }
  await env.flushed;
  const ms = performance.now() - start;
  await env.close();
  return rate(count, ms);
}
