/**
 * Readings delivered per event-loop turn (several instruments' notifications in one poll).
 * FIELDKIT_BENCH_TURN and FIELDKIT_BENCH_WINDOW override the arrival model, e.g. 1000/1000 for
 * the old one (a whole commit's worth issued, then refilled only as acknowledgements return).
 */
export const ARRIVALS_PER_TURN = Number(process.env.FIELDKIT_BENCH_TURN ?? 50);
/** Readings handed to the writer but not yet acknowledged before arrivals wait (back-pressure). */
export const WINDOW = Number(process.env.FIELDKIT_BENCH_WINDOW ?? 2000);

/**
 * Drives `count` writes the way the pipeline issues them: one `write(i)` call per reading as it
 * arrives, never awaited by the producer; arrivals come on their own schedule (instruments do
 * not wait for the disk), a few per event-loop turn, paused only while WINDOW readings are
 * unacknowledged. Samples acknowledgement latency (call to durable) on every 8th reading.
 * Ours and the LMDB ceiling run under this same driver, so they see the same pipelining.
 */
export function driveArrivals(
  count: number,
  write: (i: number) => Promise<unknown>,
): Promise<{ ms: number; acks: number[] }> {
  const acks: number[] = [];
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let next = 0;
    let done = 0;
    let waiting = false;
    const acked = () => {
      done += 1;
      if (done === count) resolve({ ms: performance.now() - start, acks });
      else if (!waiting && next < count && next - done < WINDOW) schedule();
    };
    const arrive = () => {
      waiting = false;
      const until = Math.min(count, next + ARRIVALS_PER_TURN);
      while (next < until && next - done < WINDOW) {
        const i = next++;
        const written = write(i);
        // Latency is sampled on every 8th reading, and the others share one callback: a closure
        // and a clock read per reading would charge the writer for the harness.
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
}
