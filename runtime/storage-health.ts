import { statfs } from 'node:fs/promises';
import type { KitEvent } from './events.ts';
import type { LiveBus } from './live-bus.ts';
import type { Logger } from './log.ts';
import type { StorageStatus } from './storage-status.ts';

/** Free and total bytes of the filesystem holding a directory. */
export type DiskSpace = (dir: string) => Promise<{ freeBytes: number; totalBytes: number }>;

/** The real disk: statfs, counting only the blocks an unprivileged writer may use. */
export const statfsSpace: DiskSpace = async (dir) => {
  const s = await statfs(dir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
};

/** Options of {@link StorageHealth} (validated upstream by the kit config). */
export interface StorageHealthOptions {
  readonly dir: string;
  readonly bus: LiveBus<KitEvent>;
  readonly log: Logger;
  readonly lowSpaceBytes: number;
  readonly checkIntervalMs: number;
  /** While writes keep failing, at most one reminder log line per this many ms. */
  readonly reminderMs?: number;
  readonly space?: DiskSpace;
}

/** Store error codes that concern one reading's content, not the store's ability to write. */
const INPUT_ERRORS = new Set(['invalid_record', 'unknown_schema']);

/** Free space must climb this far above the threshold before the warning clears (no flapping). */
const CLEAR_MARGIN = 1.05;

/**
 * Watches the store's write outcomes (the pipeline's `observations` and `store-error` events) and
 * the disk's free space (statfs, every `checkIntervalMs` and after every failure). It warns while
 * space is low (one log line and a `storage` event when the state changes, not on every check),
 * says once that writes fail, reminds at most every `reminderMs`, and says when writes succeed
 * again with how many observations were lost meanwhile. Ingest itself never stops: every reading
 * is offered to the store, so writing resumes by itself the moment space returns.
 */
export class StorageHealth {
  readonly #o: StorageHealthOptions;
  readonly #space: DiskSpace;
  #status: StorageStatus;
  #timer: NodeJS.Timeout | undefined;
  #off: (() => void) | undefined;
  #checking: Promise<void> | undefined;
  #lastReminder = 0;
  #notStoredInOutage = 0;

  constructor(options: StorageHealthOptions) {
    this.#o = options;
    this.#space = options.space ?? statfsSpace;
    this.#status = {
      writable: true,
      notStoredTotal: 0,
      lastError: null,
      freeBytes: null,
      totalBytes: null,
      lowSpace: false,
      lowSpaceThresholdBytes: options.lowSpaceBytes,
      at: new Date().toISOString(),
    };
  }

  /** The current status (for the tablet's hello and `/api/health`). */
  status(): StorageStatus {
    return this.#status;
  }

  /** Checks the disk now, then every `checkIntervalMs`, and follows the pipeline's write outcomes. */
  async start(): Promise<void> {
    this.#off = this.#o.bus.subscribe((e) => {
      if (e.type === 'store-error') this.#failed(e.code, e.message, e.notStored, e.notStoredTotal);
      else if (e.type === 'observations') this.#stored();
    });
    await this.check();
    this.#timer = setInterval(() => void this.check(), this.#o.checkIntervalMs);
    this.#timer.unref();
  }

  /** Stops the checks (the kit is stopping). */
  stop(): void {
    clearInterval(this.#timer);
    this.#off?.();
  }

  /** Reads the free space once; a failing statfs is logged, never thrown. */
  check(): Promise<void> {
    this.#checking ??= this.#check().finally(() => (this.#checking = undefined));
    return this.#checking;
  }

  async #check(): Promise<void> {
    let space: { freeBytes: number; totalBytes: number };
    try {
      space = await this.#space(this.#o.dir);
    } catch (err) {
      this.#o.log.warn({ dir: this.#o.dir, err: (err as Error).message }, 'cannot read free disk space');
      return;
    }
    const threshold = this.#o.lowSpaceBytes;
    const was = this.#status.lowSpace;
    const low = was ? space.freeBytes < threshold * CLEAR_MARGIN : space.freeBytes < threshold;
    // Free bytes change on every write: only a change of state is announced.
    this.#status = { ...this.#status, ...space, lowSpace: low, at: low === was ? this.#status.at : now() };
    if (low === was) return;
    const fields = { dir: this.#o.dir, freeMb: mb(space.freeBytes), thresholdMb: mb(threshold) };
    if (low)
      this.#o.log.warn(
        fields,
        'disk space low: free space is below the warning threshold; readings stop being stored when the disk is full',
      );
    else this.#o.log.info(fields, 'disk space back above the warning threshold');
    this.#publish();
  }

  #failed(code: string, message: string, notStored: number, notStoredTotal: number): void {
    // A reading the store refused as invalid says nothing about the disk; the pipeline logged it.
    if (INPUT_ERRORS.has(code)) {
      this.#status = { ...this.#status, notStoredTotal };
      return;
    }
    this.#notStoredInOutage += notStored;
    const first = this.#status.writable;
    this.#status = { ...this.#status, writable: false, notStoredTotal, lastError: message, at: now() };
    const at = Date.now();
    if (first) {
      this.#lastReminder = at;
      this.#o.log.error(
        { err: message, dir: this.#o.dir, freeMb: mb(this.#status.freeBytes) },
        'the store refuses writes: readings are NOT being stored (the kit keeps serving what is stored)',
      );
      this.#publish();
    } else if (at - this.#lastReminder >= (this.#o.reminderMs ?? 30_000)) {
      this.#lastReminder = at;
      this.#o.log.error(
        { err: message, notStoredInOutage: this.#notStoredInOutage, notStoredTotal },
        'the store still refuses writes',
      );
    }
    // The disk is the usual cause: look now rather than at the next tick.
    void this.check();
  }

  #stored(): void {
    if (this.#status.writable) return;
    this.#o.log.warn(
      { notStoredInOutage: this.#notStoredInOutage, notStoredTotal: this.#status.notStoredTotal },
      'the store accepts writes again; the readings counted as not stored are lost',
    );
    this.#notStoredInOutage = 0;
    this.#status = { ...this.#status, writable: true, lastError: null, at: now() };
    this.#publish();
    void this.check();
  }

  #publish(): void {
    this.#o.bus.publish({ type: 'storage', status: this.#status });
  }
}

function now(): string {
  return new Date().toISOString();
}

function mb(bytes: number | null): number | null {
  return bytes === null ? null : Math.round((bytes / 1024 / 1024) * 10) / 10;
}
