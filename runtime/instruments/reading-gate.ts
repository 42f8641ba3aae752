import type { DriverSink, DroppedFrame, Reading, WaveformChunk } from '../../ble-devices/drivers/driver.ts';
import { ReadingDeduper } from './dedupe.ts';

/** Where readings go after the manager: the measurement pipeline. */
export interface ReadingSink {
  /** Resolves true once the reading is stored (or had nothing to store), false when refused. */
  commit(reading: Reading): Promise<boolean>;
  dropped(frame: DroppedFrame): void;
  /** Waveform samples (ECG): not readings, so neither deduplicated nor counted; passed through. */
  waveform?(chunk: WaveformChunk): void;
}

/** What the gate reports to its instrument's status. */
export interface GateEvents {
  reading(r: Reading): void;
  dropped(f: DroppedFrame): void;
  duplicate(r: Reading): void;
  /** A reading's commit moved the dedupe bookkeeping (persist it soon). */
  changed(): void;
}

/**
 * The driver-facing sink of one remembered instrument: adds the serial, holds back duplicates,
 * forwards the rest to the pipeline and advances the dedupe bookkeeping only once a reading is
 * committed. Lives as long as the remembered instrument (across reconnects), so readings that
 * arrive after a link dropped are still stored, and the same deduper spans every connection.
 */
export class ReadingGate implements DriverSink {
  readonly deduper: ReadingDeduper;
  readonly #pending = new Set<Promise<unknown>>();
  readonly #numbered: Set<string>;
  serial: string | null;

  constructor(
    private readonly downstream: ReadingSink,
    private readonly events: GateEvents,
    init: {
      serial: string | null;
      lastSequence: number | null;
      recent: readonly string[];
      /** Characteristics carrying record numbers (an unreadable frame there is a missing record). */
      numbered?: readonly string[];
    },
  ) {
    this.#numbered = new Set(init.numbered ?? []);
    this.serial = init.serial;
    this.deduper = new ReadingDeduper(init.lastSequence, init.recent);
  }

  reading(raw: Reading): void {
    const r = this.serial === null ? raw : { ...raw, serial: this.serial };
    const before = this.deduper.lastSequence;
    const { duplicate, key } =
      r.observations.length > 0 ? this.deduper.claim(r) : { duplicate: false, key: null };
    if (duplicate) {
      this.events.duplicate(r);
      // A record stored earlier in this run can still move the watermark (after a gap).
      if (this.deduper.lastSequence !== before) this.events.changed();
      return;
    }
    this.events.reading(r);
    const result = this.downstream.commit(r);
    if (key === null) return;
    const settled = result.then(
      (ok) => {
        if (ok) this.deduper.committed(key, r);
        else this.deduper.failed(key, r);
        this.events.changed();
      },
      () => this.deduper.failed(key, r),
    );
    this.#pending.add(settled);
    void settled.finally(() => this.#pending.delete(settled));
  }

  dropped(frame: DroppedFrame): void {
    if (this.#numbered.has(frame.characteristic)) this.deduper.gap();
    this.events.dropped(frame);
    this.downstream.dropped(frame);
  }

  // ECG samples pass straight through to the strip recorder; they are not readings.
  waveform(chunk: WaveformChunk): void {
    this.downstream.waveform?.(chunk);
  }

  /** Resolves when every reading handed on so far has been committed (or refused). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }
}
