import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackend } from '../crypto/backend.ts';
import { benchLmdbRaw } from './store/lmdb-raw.ts';
import { benchOurs } from './store/ours.ts';
import { benchPouchdb } from './store/pouchdb.ts';
import { benchSqliteEncrypted } from './store/sqlite-encrypted.ts';
import { round } from './store/timing.ts';

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
    const lmdbRaw = await benchLmdbRaw(base, count);
    const ours = await benchOurs(dir('ours'), count, 'sodium-native', true);
    const oursWasm = await benchOurs(dir('ours-wasm'), opts.quick ? 1_000 : 20_000, 'libsodium-wasm', false);
    const sqlite = benchSqliteEncrypted(base, count, native);
    const pouch = await benchPouchdb(base, opts.quick ? 1_000 : 20_000);
    return {
      records: count,
      ours_per_s: ours.perSecond,
      ours_wasm_per_s: oursWasm.perSecond,
      ours_records_per_commit: round(ours.perCommit, 1),
      lmdb_raw_per_s: lmdbRaw,
      sqlite_encrypted_per_s: sqlite,
      pouchdb_per_s: pouch,
      visit_load_p99_ms: round(ours.loadP99),
      ratio_vs_lmdb_raw: round(ours.perSecond / lmdbRaw),
      ratio_vs_sqlite_encrypted: round(ours.perSecond / sqlite),
      ratio_vs_pouchdb: round(ours.perSecond / pouch),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
