import type { ObservationInput, ObservationRecord } from '../../store/schema/observation.ts';
import type { ObservationWriter } from './pipeline.ts';

/**
 * How long the first reading of a quiet moment waits for others before the store is called.
 * Twelve instruments at their highest rates send a reading about every 2.4 ms; each store call
 * that reaches an idle store becomes its own transaction with its own audit entry, LMDB write
 * start and fsync, which cost more than the reading itself. Gathering for a few milliseconds
 * puts several readings in one transaction, well inside the 20 ms a reading may take from the
 * instrument's notification to its durable commit.
 */
export const DEFAULT_GATHER_MS = 6;

interface Waiting {
  readonly inputs: ObservationInput[];
  readonly resolve: (records: ObservationRecord[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * An {@link ObservationWriter} that gathers the calls of a few milliseconds into one store call,
 * so many instruments streaming at once cost one transaction per gathering instead of one per
 * reading. Each caller still learns only about its own observations, once they are committed.
 * When a gathered write fails, each caller's inputs are written again on their own, so one
 * refused reading never takes its neighbours' readings down with it (a full disk still fails
 * them all, each with the store's own error).
 *
 * Why one concatenated call rather than each held call handed on in one turn (the store's group
 * commit would put those in one transaction too): per-call costs in the store (validation set-up,
 * key reservation, a promise per call) made that variant cost 538-605 against 398 us of kit CPU
 * per notification in `bench instruments` at the same readings per transaction (3.5-3.6).
 */
export class CoalescingWriter implements ObservationWriter {
  #waiting: Waiting[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: ObservationWriter,
    private readonly gatherMs = DEFAULT_GATHER_MS,
  ) {
    if (!(gatherMs >= 0 && Number.isFinite(gatherMs))) throw new RangeError(`gatherMs ${gatherMs}`);
  }

  addObservations(inputs: ObservationInput[]): Promise<ObservationRecord[]> {
    if (this.gatherMs === 0) return this.store.addObservations(inputs);
    return new Promise((resolve, reject) => {
      this.#waiting.push({ inputs, resolve, reject });
      this.#timer ??= setTimeout(() => this.flush(), this.gatherMs);
    });
  }

  /** Hands what is gathered to the store now (at shutdown, so nothing waits for the timer). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#waiting;
    if (batch.length === 0) return;
    this.#waiting = [];
    if (batch.length === 1) {
      const only = batch[0]!;
      this.store.addObservations(only.inputs).then(only.resolve, only.reject);
      return;
    }
    const all = batch.flatMap((w) => w.inputs);
    this.store.addObservations(all).then(
      (records) => {
        if (records.length !== all.length) {
          const err = new Error(`store returned ${records.length} records for ${all.length} inputs`);
          for (const w of batch) w.reject(err);
          return;
        }
        let at = 0;
        for (const w of batch) {
          w.resolve(records.slice(at, at + w.inputs.length));
          at += w.inputs.length;
        }
      },
      // One by one: a schema refusal of one reading must not lose the others.
      () => {
        for (const w of batch) this.store.addObservations(w.inputs).then(w.resolve, w.reject);
      },
    );
  }
}
