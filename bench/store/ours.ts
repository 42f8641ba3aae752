import type { BackendName } from '../../crypto/backend.ts';
import { openStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';
import { OBS_PER_VISIT, benchObservation } from './records.ts';
import { driveArrivals } from './arrivals.ts';
import { mainThreadCpuMs, percentile, rate, settleHeap } from './timing.ts';
import type { ObservationInput } from '../../store/index.ts';

/**
 * Our store, written the way the pipeline writes: one `addObservations([reading])` call per
 * reading as it arrives (see {@link driveArrivals}), the group-commit writer gathering what
 * arrived during the previous commit. Also measures loading a visit's observations.
 */
export async function benchOurs(dir: string, count: number, crypto: BackendName, measureLoad: boolean) {
  const store = await openStore({ path: dir, passphrase: 'bench', kdf: TEST_KDF, crypto });
  const inputs = Array.from({ length: count }, (_, i) => benchObservation(i));
  const commitsBefore = store.commitCount;
  settleHeap();
  const cpuBefore = mainThreadCpuMs();
  const { ms, acks } = await driveArrivals(count, (i) =>
    store.addObservations([inputs[i] as ObservationInput]),
  );
  const mainCpuUs = ((mainThreadCpuMs() - cpuBefore) * 1000) / count;
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
  return {
    perSecond: rate(count, ms),
    perCommit: count / Math.max(1, commits),
    mainCpuUs,
    ackP50: percentile(acks, 50),
    ackP99: percentile(acks, 99),
    loadP99,
    loadP50,
  };
}
