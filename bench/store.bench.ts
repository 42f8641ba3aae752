import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackend } from '../crypto/backend.ts';
import { benchLmdbRaw } from './store/lmdb-raw.ts';
import { benchOurs } from './store/ours.ts';
import { benchPouchdb } from './store/pouchdb.ts';
import { benchSqliteEncrypted } from './store/sqlite-encrypted.ts';
import { percentile, round } from './store/timing.ts';

/**
 * `npm run bench -- store --json`: our encrypted, indexed, durable writes against raw lmdb-js
 * (the ceiling), SQLite with the same encryption and indexes, and PouchDB, on the same ~1 KiB
 * observations in one run; plus the time to load and decrypt a 200-observation visit, and our
 * write rate with the WebAssembly libsodium instead of sodium-native.
 */
export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const count = opts.quick ? 3_000 : 50_000;
  const base = mkdtempSync(join(tmpdir(), 'fieldkit-bench-store-'));
  const dir = (name: string) => join(base, name);
  try {
    const native = await loadBackend('sodium-native');
    // Full runs make five interleaved rounds: rates are the best round of each peer (no peer
    // gains from running warm or loses to a neighbour's burst), and the paired ratios compare
    // peers measured in the same round (the median of those is the steadier figure on a
    // machine whose speed drifts over minutes).
    const rounds = opts.quick ? 1 : 5;
    const runs = { raw: [] as number[], ours: [] as number[], sqlite: [] as number[], memo: [] as number[] };
    const pouch: number[] = [];
    let fastest: Awaited<ReturnType<typeof benchOurs>> | undefined;
    let p99 = Infinity;
    let p50 = Infinity;
    for (let r = 0; r < rounds; r++) {
      runs.raw.push(await benchLmdbRaw(dir(`raw-${r}`), count));
      const ours = await benchOurs(dir(`ours-${r}`), count, 'sodium-native', true);
      runs.ours.push(ours.perSecond);
      if (!fastest || ours.perSecond > fastest.perSecond) fastest = ours;
      p99 = Math.min(p99, ours.loadP99);
      p50 = Math.min(p50, ours.loadP50);
      runs.sqlite.push(benchSqliteEncrypted(dir(`sqlite-${r}`), count, native, false));
      runs.memo.push(benchSqliteEncrypted(dir(`sqlite-memo-${r}`), count, native, true));
      pouch.push(await benchPouchdb(dir(`pouch-${r}`), opts.quick ? 1_000 : 20_000));
    }
    const oursWasm = await benchOurs(dir('ours-wasm'), opts.quick ? 1_000 : 20_000, 'libsodium-wasm', false);
    const best = (xs: number[]) => Math.max(...xs);
    const paired = (peer: number[]) => runs.ours.map((o, i) => o / (peer[i] ?? Number.NaN));
    const vsSqlite = paired(runs.sqlite);
    return {
      records: count,
      rounds,
      ours_per_s: best(runs.ours),
      ours_wasm_per_s: oursWasm.perSecond,
      ours_records_per_commit: round(fastest?.perCommit ?? Number.NaN, 1),
      ours_ack_p50_ms: round(fastest?.ackP50 ?? Number.NaN),
      ours_ack_p99_ms: round(fastest?.ackP99 ?? Number.NaN),
      lmdb_raw_per_s: best(runs.raw),
      sqlite_encrypted_per_s: best(runs.sqlite),
      sqlite_encrypted_memo_terms_per_s: best(runs.memo),
      pouchdb_per_s: best(pouch),
      visit_load_p99_ms: round(p99),
      visit_load_p50_ms: round(p50),
      ratio_vs_lmdb_raw: round(best(runs.ours) / best(runs.raw)),
      ratio_vs_sqlite_encrypted: round(best(runs.ours) / best(runs.sqlite)),
      ratio_vs_sqlite_encrypted_memo_terms: round(best(runs.ours) / best(runs.memo)),
      ratio_vs_pouchdb: round(best(runs.ours) / best(pouch)),
      paired_ratio_vs_lmdb_raw_median: round(percentile(paired(runs.raw), 50)),
      paired_ratio_vs_sqlite_encrypted_median: round(percentile(vsSqlite, 50)),
      paired_ratio_vs_sqlite_encrypted_min: round(Math.min(...vsSqlite)),
      paired_ratio_vs_sqlite_encrypted_max: round(Math.max(...vsSqlite)),
      paired_ratio_vs_sqlite_encrypted_memo_terms_median: round(percentile(paired(runs.memo), 50)),
      paired_ratio_vs_pouchdb_median: round(percentile(paired(pouch), 50)),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
