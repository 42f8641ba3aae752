import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { CLI_RELEASE_MAP_EVERY, exportFhir } from '../../runtime/fhir/export/export-fhir.ts';
import { LinkAnswers } from '../../runtime/fhir/export/link-answers.ts';
import { KitNames } from '../../runtime/fhir/export/refs.ts';
import { selectVisits } from '../../runtime/fhir/export/select-visits.ts';
import { visitEntries, type ExportState } from '../../runtime/fhir/export/visit-entries.ts';
import { toFhirJson } from '../../runtime/fhir/export/fhir-json.ts';
import { RU_CORE } from '../../runtime/fhir/profiles/index.ts';
import { BRIGADE } from '../../runtime/fhir/testing/full-visit.ts';
import type { BundleEntry } from '../../runtime/fhir/fhir-types.ts';
import { openStore, type RecordStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';
import { fullGc } from '../../runtime/cli/full-gc.ts';

// One export in a process of its own, so its peak RSS is its own: `node --import tsx
// export-child.ts DIR streaming|whole` prints one JSON line of figures.

const [dir, mode] = process.argv.slice(2);
const ALL = { by: 'since', from: new Date(0) } as const;

let peakAnonMb = 0;
let peakFileMb = 0;
let peakHeapMb = 0;
/**
 * Samples the process's resident memory by kind (/proc/self/status): RssAnon (heap, buffers,
 * native allocations: what the exporter itself holds) and RssFile (file-backed pages: here mostly
 * the store's LMDB file, mapped in as it is read; page cache the kernel can drop, proportional to
 * what is read, not held by the exporter), and the V8 heap in use.
 */
function sampleAnon(): void {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  peakAnonMb = Math.max(peakAnonMb, kb('RssAnon') / 1024);
  peakFileMb = Math.max(peakFileMb, kb('RssFile') / 1024);
  peakHeapMb = Math.max(peakHeapMb, process.memoryUsage().heapUsed / 2 ** 20);
}

/** Counts the bytes and drops them: the figure is the exporter's, not the disk's. */
function sink(): Writable & { bytes: number } {
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      w.bytes += chunk.byteLength;
      done();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

/** Ours: exportFhir, streaming visit by visit with backpressure. */
async function streaming(store: RecordStore): Promise<{ resources: number; bytes: number }> {
  const out = sink();
  const summary = await exportFhir(store, ALL, out, {
    profile: RU_CORE,
    brigade: BRIGADE,
    // As `fieldkit export` runs it (runtime/cli/export-command.ts).
    releaseMapEvery: CLI_RELEASE_MAP_EVERY,
    collectGarbage: fullGc,
    onProgress: (done) => {
      if (done % 50 === 0) sampleAnon();
    },
  });
  sampleAnon();
  return { resources: summary.entries, bytes: out.bytes };
}

/**
 * The peer: the same mappers, but the Bundle built whole in memory and serialised at the end, as
 * an exporter without streaming does (the shape of most FHIR export code).
 */
async function whole(store: RecordStore): Promise<{ resources: number; bytes: number }> {
  const visits = await selectVisits(store, ALL);
  const ctx = { names: new KitNames(store.publicIdentity.signing), profile: RU_CORE };
  const state: ExportState = {
    patients: new Set(),
    devices: new Set(),
    damaged: [],
    skippedAttachments: 0,
    links: await LinkAnswers.build(store),
  };
  const entry: BundleEntry[] = [];
  let done = 0;
  for (const v of visits) {
    for await (const p of visitEntries(v, store, ctx, state, BRIGADE)) entry.push(p.entry);
    if (++done % 50 === 0) sampleAnon();
    // The same turn of the event loop per visit as exportFhir takes.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  const text = toFhirJson({ resourceType: 'Bundle', type: 'transaction', entry });
  sampleAnon();
  const out = sink();
  out.end(text);
  return { resources: entry.length, bytes: out.bytes };
}

const store = await openStore({ path: dir!, passphrase: 'bench', kdf: TEST_KDF });
const baseRssMb = process.memoryUsage().rss / 2 ** 20;
const t0 = performance.now();
const r = mode === 'whole' ? await whole(store) : await streaming(store);
const ms = performance.now() - t0;
await store.close();
process.stdout.write(
  JSON.stringify({
    ...r,
    ms,
    baseRssMb,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    peakAnonMb,
    peakFileMb,
    peakHeapMb,
  }) + '\n',
);
