import type { DriverSink, DroppedFrame, Reading, WaveformChunk } from '../../ble-devices/drivers/driver.ts';
import type { ObservationInput, ObservationRecord } from '../../store/schema/observation.ts';
import { isStoreError } from '../../store/errors.ts';
import type { KitEvent } from '../events.ts';
import type { LiveBus } from '../live-bus.ts';
import type { Logger } from '../log.ts';
import { toObservationInputs, type VisitContext } from './to-observation-input.ts';

/** The part of the store the pipeline needs: durable, acknowledged-after-commit writes. */
export interface ObservationWriter {
  addObservations(inputs: ObservationInput[]): Promise<ObservationRecord[]>;
  /** Hands on at once whatever a gathering writer is holding back (see CoalescingWriter). */
  flush?(): void;
}

/** Counters a developer or a test can read to see the pipeline is honest. */
export interface PipelineStats {
  received: number;
  stored: number;
  previews: number;
  dropped: number;
  storeErrors: number;
  /** Observations whose write failed (lost: the tablet was told how many). */
  notStored: number;
  /** Waveform chunks (ECG) handed to the waveform listeners. */
  waveformChunks: number;
}

/**
 * The measurement pipeline: reading -> observation inputs -> store commit -> live event.
 * An observation is announced only after its commit resolved; previews skip the store; refused
 * frames and failed commits are counted and announced (a failed write says how many observations
 * it lost), never silently lost. A failed write never stops the pipeline: the next reading is
 * offered to the store again, so ingest resumes by itself once the store accepts writes.
 */
export class MeasurementPipeline implements DriverSink {
  readonly stats: PipelineStats = {
    received: 0,
    stored: 0,
    previews: 0,
    dropped: 0,
    storeErrors: 0,
    notStored: 0,
    waveformChunks: 0,
  };
  readonly #waveformListeners = new Set<(chunk: WaveformChunk) => void>();
  readonly #pending = new Set<Promise<boolean>>();

  constructor(
    private readonly writer: ObservationWriter,
    private readonly bus: LiveBus<KitEvent>,
    private readonly visit: () => VisitContext,
    private readonly log: Logger,
  ) {}

  /** Takes one reading (see {@link MeasurementPipeline.commit}). */
  reading(reading: Reading): void {
    void this.commit(reading);
  }

  /**
   * Takes one reading: previews go out at once, observations to the store. Resolves true once
   * the reading's observations are committed, or at once when there is nothing to store; false
   * when the commit failed (already counted, logged and announced: it never rejects).
   */
  commit(reading: Reading): Promise<boolean> {
    this.stats.received++;
    if (reading.preview) {
      this.stats.previews++;
      this.bus.publish({
        type: 'preview',
        deviceId: reading.deviceId,
        deviceName: reading.deviceName,
        preview: reading.preview,
        at: reading.receivedAt,
      });
    }
    if (reading.observations.length === 0) return Promise.resolve(true);
    const inputs = toObservationInputs(reading, this.visit());
    const write = this.writer.addObservations(inputs).then(
      (records) => {
        this.stats.stored += records.length;
        this.bus.publish({ type: 'observations', records });
        return true;
      },
      (err: unknown) => {
        this.stats.storeErrors++;
        this.stats.notStored += inputs.length;
        const message = err instanceof Error ? err.message : String(err);
        // Debug only: a full disk fails every write; StorageHealth says it once, then reminds.
        this.log.debug(
          { deviceId: reading.deviceId, codec: reading.codec, err: message, notStored: inputs.length },
          'observation not stored',
        );
        this.bus.publish({
          type: 'store-error',
          message,
          code: isStoreError(err) ? err.code : 'internal',
          notStored: inputs.length,
          notStoredTotal: this.stats.notStored,
          at: new Date(),
        });
        return false;
      },
    );
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
    return write;
  }

  dropped(frame: DroppedFrame): void {
    this.stats.dropped++;
    this.log.warn(
      { deviceId: frame.deviceId, characteristic: frame.characteristic, err: frame.error.message },
      'frame refused',
    );
    this.bus.publish({ type: 'dropped', frame });
  }

  /** Waveform samples are not observations: they go to the listeners (the ECG strip recorder). */
  waveform(chunk: WaveformChunk): void {
    this.stats.waveformChunks++;
    for (const l of [...this.#waveformListeners]) l(chunk);
  }

  /** Adds a waveform listener; returns a function that removes it. */
  onWaveform(listener: (chunk: WaveformChunk) => void): () => void {
    this.#waveformListeners.add(listener);
    return () => this.#waveformListeners.delete(listener);
  }

  /** Resolves when every write already handed to the store has settled (clean shutdown). */
  async drain(): Promise<void> {
    this.writer.flush?.();
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
