import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import PouchDB from 'pouchdb-node';
import { ObservationInput } from '../../store/schema/observation.ts';
import { benchObservation } from './records.ts';
import { rate, settleHeap } from './timing.ts';

/**
 * The PouchDB peer: bulkDocs of the same observations (raw frame as base64, as JSON needs),
 * 1,000 per call, no encryption. Note: its LevelDB backend does not fsync each write by
 * default, so this peer is given weaker durability than ours, not stronger.
 */
export async function benchPouchdb(dir: string, count: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const db = new PouchDB(join(dir, 'pouch'));
  const docs = Array.from({ length: count }, (_, i) => {
    const o = ObservationInput.parse(benchObservation(i));
    return {
      _id: `obs-${String(i + 1).padStart(12, '0')}`,
      ...o,
      provenance: { ...o.provenance, raw: Buffer.from(o.provenance.raw).toString('base64') },
      recordedAt: new Date().toISOString(),
    };
  });
  settleHeap();
  const start = performance.now();
  for (let i = 0; i < count; i += 1000) await db.bulkDocs(docs.slice(i, i + 1000));
  const ms = performance.now() - start;
  await db.close();
  return rate(count, ms);
}
