import type { BackendName } from '../../crypto/backend.ts';
import { openStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';
import { OBS_PER_VISIT, benchObservation } from './records.ts';
import { percentile, rate } from './timing.ts';

/**
 * Readings delivered per event-loop turn (several instruments' notifications in one poll).
 * FIELDKIT_BENCH_TURN and FIELDKIT_BENCH_WINDOW override the arrival model, e.g. 1000/1000 for
 * the old one (a whole commit's worth issued, then refilled only as acknowledgements return).
 */
const ARRIVALS_PER_TURN = Number(process.env.FIELDKIT_BENCH_TURN ?? 50);
/** Readings handed to the store but not yet acknowledged before arrivals wait (back-pressure). */
const WINDOW = Number(process.env.FIELDKIT_BENCH_WINDOW ?? 2000);

/**
 * Our store, written the way the pipeline writes: one `addObservations([reading])` call per
 * reading as it arrives, never awaited by the producer, the group-commit writer gathering what
 * arrived during the previous commit. Arrivals come on their own schedule (instruments do not
 * wait for the disk): a few per event-loop turn, paused only when WINDOW readings are
 * unacknowledged. Also samples acknowledgement latency (call to durable) on every 8th reading.
 */
export async function benchOurs(dir: string, count: number, crypto: BackendName, measureLoad: boolean) {
  const store = await openStore({ path: dir, passphrase: 'bench', kdf: TEST_KDF, crypto });
  const inputs = Array.from({ length: count }, (_, i) => benchObservation(i));
  const acks: number[] = [];
  const commitsBefore = store.commitCount;
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    let next = 0;
    let done = 0;
    let waiting = false;
    const acked = () => {
      done += 1;
      if (done === count) resolve();
      else if (!waiting && next < count && next - done < WINDOW) schedule();
    };
    const arrive = () => {
      waiting = false;
      const until = Math.min(count, next + ARRIVALS_PER_TURN);
      while (next < until && next - done < WINDOW) {
        const i = next++;
        const input = inputs[i];
        if (!input) break;
        const written = store.addObservations([input]);
        // Latency is sampled on every 8th reading, and the others share one callback: a closure
        // and a clock read per reading would charge ours for the harness (the peers run in a
        // bare loop).
        if ((i & 7) === 0) {
          const at = performance.now();
          written.then(() => {
            acks.push(performance.now() - at);
            acked();
          }, reject);
        } else written.then(acked, reject);
      }
      if (next < count && next - done < WINDOW) schedule();
    };
    const schedule = () => {
      waiting = true;
      setImmediate(arrive);
    };
    schedule();
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
  return {
    perSecond: rate(count, ms),
    perCommit: count / Math.max(1, commits),
    ackP50: percentile(acks, 50),
    ackP99: percentile(acks, 99),
    loadP99,
    loadP50,
  };
}
