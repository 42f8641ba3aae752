import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { csvPatients } from '../runtime/fhir/import/csv-patients.ts';
import { importPatientList } from '../runtime/fhir/import/import-patients.ts';
import { csvText, listRow } from '../runtime/fhir/testing/patient-lists.ts';
import { openStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import { seedVisits } from './export/seed.ts';
import { round } from './store/timing.ts';

const CHILD = fileURLToPath(new URL('./export/export-child.ts', import.meta.url));

interface ChildFigures {
  resources: number;
  bytes: number;
  ms: number;
  baseRssMb: number;
  peakRssMb: number;
  peakAnonMb: number;
  peakFileMb: number;
  peakHeapMb: number;
}

/** One export of the whole store in a fresh process (its peak RSS is the export's alone). */
function exportInChild(dir: string, mode: 'streaming' | 'whole'): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(out) as ChildFigures);
      else reject(new Error(`export child (${mode}) exited ${code}`));
    });
  });
}

async function seededStore(dir: string, visits: number): Promise<void> {
  const store = await openStore({ path: dir, passphrase: 'bench', kdf: TEST_KDF });
  try {
    await seedVisits(store, visits);
  } finally {
    await store.close();
  }
}

/**
 * `npm run bench -- export --json`: the FHIR export and the patient-list import (issue 13).
 *
 * - Export: stores of 1,000 and 10,000 closed visits (a patient, a BP frame, an SpO2 frame and a
 *   temperature each: 10 resources per visit), the whole store exported (`--since` 1970) in a child
 *   process each, to a sink that counts bytes. `export_resources_per_s` at 1,000 visits;
 *   `export_peak_rss_mb` at 1,000 and 10,000 (the child's max RSS: Node, tsx, the store and the
 *   export; VmHWM, so it includes the store's LMDB pages mapped in as they are read) and
 *   `export_peak_anon_mb` (sampled RssAnon: heap, buffers, native memory; without the mapped
 *   file), `export_peak_file_mb` (sampled RssFile: Node's own binary and the store's file as the
 *   export reads it; the export, run as `fieldkit export` runs it, has the store unmap the file
 *   every 64 visits, so this one stays near one window's pages)
 *   and `export_peak_heap_mb` (V8 heap in use). Target: 10k <= 1.2 x 1k. The peer, side by side: the same mappers with
 *   the Bundle built whole in memory and serialised at the end (`whole_*`).
 * - Import: a 10,000-row CSV (the documented header, ;-separated, СНИЛС and ОМС on every row)
 *   parsed, checked, merged against the store and committed into an empty store:
 *   `import_patients_per_s`.
 */
export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const small = opts.quick ? 200 : 1_000;
  const large = opts.quick ? 2_000 : 10_000;
  const rows = opts.quick ? 1_000 : 10_000;
  const base = mkdtempSync(join(tmpdir(), 'fieldkit-bench-export-'));
  try {
    const t0 = performance.now();
    await seededStore(join(base, 'small'), small);
    await seededStore(join(base, 'large'), large);
    const seedS = (performance.now() - t0) / 1000;

    const s = await exportInChild(join(base, 'small'), 'streaming');
    const l = await exportInChild(join(base, 'large'), 'streaming');
    const ws = await exportInChild(join(base, 'small'), 'whole');
    const wl = await exportInChild(join(base, 'large'), 'whole');

    const csv = Buffer.from(csvText(Array.from({ length: rows }, (_, i) => listRow(i))));
    const target = await openStore({ path: join(base, 'import'), passphrase: 'bench', kdf: TEST_KDF });
    let importMs: number;
    let imported: number;
    try {
      const i0 = performance.now();
      const report = await importPatientList(csvPatients(csv), target, { partial: false });
      importMs = performance.now() - i0;
      imported = report.created.length;
      if (!report.applied || imported !== rows)
        throw new Error(
          `import bench: ${imported} of ${rows} rows imported, ${report.refused.length} refused`,
        );
    } finally {
      await target.close();
    }

    return {
      visits_small: small,
      visits_large: large,
      seed_s: round(seedS),
      export_resources_small: s.resources,
      export_resources_per_s: round((s.resources * 1000) / s.ms),
      export_resources_per_s_large: round((l.resources * 1000) / l.ms),
      export_mb_per_s: round(s.bytes / 2 ** 20 / (s.ms / 1000)),
      export_peak_rss_mb_1k: round(s.peakRssMb),
      export_peak_rss_mb_10k: round(l.peakRssMb),
      export_rss_10k_vs_1k: round(l.peakRssMb / s.peakRssMb),
      export_base_rss_mb: round(s.baseRssMb),
      export_peak_anon_mb_1k: round(s.peakAnonMb),
      export_peak_anon_mb_10k: round(l.peakAnonMb),
      export_anon_10k_vs_1k: round(l.peakAnonMb / s.peakAnonMb),
      export_peak_file_mb_1k: round(s.peakFileMb),
      export_peak_file_mb_10k: round(l.peakFileMb),
      export_peak_heap_mb_1k: round(s.peakHeapMb),
      export_peak_heap_mb_10k: round(l.peakHeapMb),
      whole_resources_per_s: round((ws.resources * 1000) / ws.ms),
      whole_peak_rss_mb_1k: round(ws.peakRssMb),
      whole_peak_rss_mb_10k: round(wl.peakRssMb),
      whole_rss_10k_vs_1k: round(wl.peakRssMb / ws.peakRssMb),
      whole_peak_anon_mb_10k: round(wl.peakAnonMb),
      ours_vs_whole_peak_rss_10k: round(l.peakRssMb / wl.peakRssMb),
      import_rows: rows,
      import_patients_per_s: round((imported * 1000) / importMs),
      import_csv_mb: round(csv.byteLength / 2 ** 20),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
