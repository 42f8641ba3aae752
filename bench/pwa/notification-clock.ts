import type { MeasurementPipeline } from '../../runtime/pipeline/pipeline.ts';
import type { RecordStore } from '../../store/index.ts';

/** When each stored observation's instrument notification reached the kit, and how to stop noting it. */
export interface NotificationClock {
  /** Observation id to the kit's wall clock (epoch ms) when its notification arrived (`Reading.receivedAt`). */
  readonly notifiedAt: ReadonlyMap<string, number>;
  stop(): void;
}

/**
 * Why this exists: an observation's `effectiveAt` is not when its notification arrived. A BP
 * cuff states its own measurement time (whole seconds, taken before the cuff deflates and
 * indicates), so "paint minus effectiveAt" added 0.4 to 1 s of clock truncation and measuring
 * time to every cuff reading: about 2 % of the samples, which was the whole live p99. The
 * notification's arrival is `Reading.receivedAt` (the kit's clock, the same machine clock as the
 * tablets' `Date`), which the pipeline has when it hands the reading to the store; this notes it
 * per committed observation id. It wraps the kit's own pipeline and store instances (the
 * pipeline calls the store synchronously from `commit`), changing nothing they do.
 */
export function noteNotifications(pipeline: MeasurementPipeline, store: RecordStore): NotificationClock {
  const notifiedAt = new Map<string, number>();
  let current: number | undefined;
  const commit = pipeline.commit.bind(pipeline);
  const add = store.addObservations.bind(store);
  pipeline.commit = (reading) => {
    current = reading.receivedAt.getTime();
    try {
      return commit(reading);
    } finally {
      current = undefined;
    }
  };
  store.addObservations = async (inputs) => {
    const at = current;
    const records = await add(inputs);
    if (at !== undefined) for (const r of records) notifiedAt.set(r.id, at);
    return records;
  };
  return {
    notifiedAt,
    stop() {
      // The instance properties shadowed the class methods; removing them restores those.
      delete (pipeline as Partial<Pick<MeasurementPipeline, 'commit'>>).commit;
      delete (store as Partial<Pick<RecordStore, 'addObservations'>>).addObservations;
    },
  };
}
