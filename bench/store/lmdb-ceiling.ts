import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { CryptoBackend } from '../../crypto/backend.ts';
import { ObservationBody } from '../../store/schema/stored-observation.ts';
import { encodeObservationBody } from '../../store/tables/observation-cbor.ts';
import { driveArrivals } from './arrivals.ts';
import { benchObservation } from './records.ts';
import { mainThreadCpuMs, percentile, rate, settleHeap } from './timing.ts';

const APPEND = { append: true } as const;

/**
 * The bytes ours writes per reading, made before the clock starts: the version-2 observation
 * body (our own encoder), sealed with XChaCha20-Poly1305 behind the same 7-byte envelope header,
 * under the same AAD shape. Same sizes, same entropy: LMDB cannot tell them from ours.
 */
function sealedBodies(count: number, backend: CryptoBackend): Buffer[] {
  const key = backend.randomBytes(32);
  const header = Buffer.from([1, 0, 2, 0, 0, 0, 0]);
  const recordedAt = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => {
    const body = ObservationBody.parse({ ...benchObservation(i), recordedAt });
    const aad = Buffer.concat([Buffer.from('observations\u0000'), keyOf(i + 1), header]);
    return Buffer.from(backend.seal(encodeObservationBody(body), aad, key, header));
  });
}

function keyOf(seq: number): Buffer {
  const key = Buffer.allocUnsafe(8);
  key.writeBigUInt64BE(BigInt(seq));
  return key;
}

/**
 * Group commit with nothing else: the puts issued while a commit is running share the next
 * transaction, a put on an idle writer starts its commit on the next turn, and each put is
 * acknowledged once its commit is flushed, the next commit overlapping that flush. The same
 * schedule as the store's WriteBatcher, without its per-operation child transactions.
 */
class GroupCommit {
  readonly #env: RootDatabase<Buffer, Buffer>;
  readonly #db: Database<Buffer, Buffer>;
  #pending: { key: Buffer; value: Buffer; done: () => void; fail: (e: unknown) => void }[] = [];
  #scheduled = false;
  #committing = false;
  commits = 0;

  constructor(env: RootDatabase<Buffer, Buffer>, db: Database<Buffer, Buffer>) {
    this.#env = env;
    this.#db = db;
  }

  put(key: Buffer, value: Buffer): Promise<void> {
    return new Promise((done, fail) => {
      this.#pending.push({ key, value, done, fail });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#committing) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#commit();
    });
  }

  async #commit(): Promise<void> {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#committing = true;
    try {
      await this.#env.transaction(() => {
        for (const p of batch) this.#db.putSync(p.key, p.value, APPEND);
      });
      this.commits += 1;
    } catch (error) {
      for (const p of batch) p.fail(error);
      return;
    } finally {
      this.#committing = false;
      if (this.#pending.length > 0) this.#schedule();
    }
    await this.#env.flushed;
    for (const p of batch) p.done();
  }
}

/**
 * The ceiling: lmdb-js putting the very bytes ours puts (sealed before the clock starts), under
 * the same arrival model and window (driveArrivals) and the same group-commit schedule and
 * commit mode (sync commit, no overlapping sync, no cache), into one table with sequential keys.
 * It skips everything ours does besides the puts: validation, encoding, sealing, blind index
 * postings, the audit entry, the id reservation. ours / ceiling is what those cost.
 */
export async function benchLmdbCeiling(dir: string, count: number, backend: CryptoBackend) {
  mkdirSync(dir, { recursive: true });
  const env = open<Buffer, Buffer>({
    path: join(dir, 'ceiling.mdb'),
    maxDbs: 32,
    encoding: 'binary',
    keyEncoding: 'binary',
    cache: false,
    overlappingSync: false,
    eventTurnBatching: false,
  });
  const db = env.openDB<Buffer, Buffer>({
    name: 't:observations',
    encoding: 'binary',
    keyEncoding: 'binary',
    cache: false,
  });
  const values = sealedBodies(count, backend);
  const keys = values.map((_, i) => keyOf(i + 1));
  const writer = new GroupCommit(env, db);
  settleHeap();
  const cpuBefore = mainThreadCpuMs();
  const { ms, acks } = await driveArrivals(count, (i) => writer.put(keys[i] as Buffer, values[i] as Buffer));
  const mainCpuUs = ((mainThreadCpuMs() - cpuBefore) * 1000) / count;
  await env.close();
  return {
    perSecond: rate(count, ms),
    perCommit: count / Math.max(1, writer.commits),
    mainCpuUs,
    ackP99: percentile(acks, 99),
  };
}
