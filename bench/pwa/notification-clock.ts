import type { KitEvent } from '../../runtime/events.ts';
import type { LiveBus } from '../../runtime/live-bus.ts';
import type { MeasurementPipeline } from '../../runtime/pipeline/pipeline.ts';

/** When each announced observation's notification reached the kit and when it was announced. */
export interface NotificationClock {
  /** Observation id to the kit's wall clock (epoch ms) when its notification arrived (`Reading.receivedAt`). */
  readonly notifiedAt: ReadonlyMap<string, number>;
  /** Observation id to when the kit published its live event (after the store commit). */
  readonly publishedAt: ReadonlyMap<string, number>;
  stop(): void;
}

/** One instrument frame: the same bytes from the same device and characteristic. */
const frameKey = (deviceId: string, characteristic: string, raw: Uint8Array) =>
  `${deviceId} ${characteristic} ${Buffer.from(raw).toString('base64')}`;

/**
 * Why this exists: an observation's `effectiveAt` is not when its notification arrived. A BP
 * cuff states its own measurement time (whole seconds, taken before the cuff deflates and
 * indicates), so "paint minus effectiveAt" added 0.4 to 1 s of clock truncation and measuring
 * time to every cuff reading: about 2 % of the samples, which was the whole live p99. The
 * notification's arrival is `Reading.receivedAt` (the kit's clock, the same machine clock as the
 * tablets' `Date`). This notes it when the pipeline takes a reading (wrapping the kit's own
 * pipeline instance's `commit`, changing nothing it does) and gives it to the observations the
 * pipeline later announces for that reading: one live event per reading, matched by its frame
 * (device, characteristic, raw bytes, kept in every record's provenance), in arrival order.
 */
export function noteNotifications(pipeline: MeasurementPipeline, bus: LiveBus<KitEvent>): NotificationClock {
  const notifiedAt = new Map<string, number>();
  const publishedAt = new Map<string, number>();
  const waiting = new Map<string, number[]>();
  const commit = pipeline.commit.bind(pipeline);
  pipeline.commit = (reading) => {
    if (reading.observations.length > 0) {
      const key = frameKey(reading.deviceId, reading.characteristic, reading.raw);
      const list = waiting.get(key) ?? [];
      list.push(reading.receivedAt.getTime());
      waiting.set(key, list);
    }
    return commit(reading);
  };
  const off = bus.subscribe((e) => {
    if (e.type !== 'observations' || e.records.length === 0) return;
    const now = Date.now();
    const p = e.records[0]!.provenance;
    const key = frameKey(p.deviceId, p.characteristic, p.raw);
    const list = waiting.get(key);
    const at = list?.shift();
    if (list?.length === 0) waiting.delete(key);
    for (const r of e.records) {
      publishedAt.set(r.id, now);
      if (at !== undefined) notifiedAt.set(r.id, at);
    }
  });
  return {
    notifiedAt,
    publishedAt,
    stop() {
      off();
      // The instance property shadowed the class method; removing it restores that.
      delete (pipeline as Partial<Pick<MeasurementPipeline, 'commit'>>).commit;
    },
  };
}
