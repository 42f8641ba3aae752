import type { BackendName } from '../../crypto/backend.ts';
import { openStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';
import { OBS_PER_VISIT, benchObservation } from './records.ts';
import { percentile, rate } from './timing.ts';

/**
 * Our store, written the way the pipeline writes: one `addObservations([reading])` call per
 * reading, many in flight, the group-commit writer gathering them (about 1,000 per commit here).
 */
export async function benchOurs(dir: string, count: number, crypto: BackendName, measureLoad: boolean) {
  const store = await openStore({ path: dir, passphrase: 'bench', kdf: TEST_KDF, crypto });
  const inputs = Array.from({ length: count }, (_, i) => benchObservation(i));
  const window = 1000;
  const commitsBefore = store.commitCount;
  const start = performance.now();
  // Readings arrive faster than commits: keep up to `window` calls in flight, topping up as
  // acknowledgements come back (as the pipeline does, without awaiting each reading).
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let done = 0;
    const pump = () => {
      while (next < count && next - done < window) {
        const input = inputs[next++];
        if (!input) break;
        store.addObservations([input]).then(() => {
          done += 1;
          if (done === count) resolve();
          else if (next - done <= window / 2) pump();
        }, reject);
      }
    };
    pump();
  });
  const ms = performance.now() - start;
  const commits = store.commitCount - commitsBefore;
  let loadP99 = Number.NaN;
  let loadP50 = Number.NaN;
  if (measureLoad) {
    const visits = Math.floor(count / OBS_PER_VISIT);
    const samples: number[] = [];
    for (let round = 0; round < 3; round++)
      for (let v = 0; v < visits; v++) {
        const t = performance.now();
        const found = await store.observationsByVisit(`visit-${v}`);
        samples.push(performance.now() - t);
        if (found.length !== OBS_PER_VISIT) throw new Error(`visit ${v}: ${found.length} observations`);
      }
    loadP99 = percentile(samples, 99);
    loadP50 = percentile(samples, 50);
  }
  await store.close();
  return { perSecond: rate(count, ms), perCommit: count / Math.max(1, commits), loadP99, loadP50 };
}
