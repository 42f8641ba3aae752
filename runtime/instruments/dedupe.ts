import { createHash } from 'node:crypto';
import type { Reading } from '../../ble-devices/drivers/driver.ts';

/** How many fingerprints of sequence-less readings an instrument keeps across restarts. */
export const RECENT_LIMIT = 256;

/** Whether `n` comes after `last` on the 16-bit record counter (it wraps at 0xFFFF). */
export function isNewerSequence(n: number, last: number): boolean {
  const d = (n - last) & 0xffff;
  return d !== 0 && d < 0x8000;
}

/** The dedupe key of a reading: by sequence number, else by device time and value, else none. */
export function dedupeKey(r: Reading): string | null {
  if (r.sequenceNumber !== undefined) return `seq:${r.characteristic}:${r.sequenceNumber}`;
  if (r.deviceTime === undefined || r.observations.length === 0) return null;
  const values = r.observations.map((o) => [o.code.loinc, o.value, o.components.map((c) => c.value)]);
  const digest = createHash('sha256')
    .update(JSON.stringify([r.characteristic, r.deviceTime, values]))
    .digest('base64url')
    .slice(0, 22);
  return `fp:${digest}`;
}

/**
 * Suppresses readings an instrument sends twice: after a reconnect, a repeated RACP download, or
 * a cuff resending its whole memory. Records with a sequence number are duplicates below the
 * highest number already stored (the watermark, kept in the remembered instrument) or when their
 * key is among the latest stored ones (so a measurement and its context, which share a number,
 * are told apart); timestamped records without one are matched by device time and value; live
 * streams with neither are never held back. A key is "pending" from the moment its reading is
 * handed to the store until the commit, so a quick resend is caught too. A record that failed to
 * store holds the watermark below it, so the next download asks for it again.
 */
export class ReadingDeduper {
  readonly #pending = new Set<string>();
  readonly #recent: string[];
  readonly #recentSet: Set<string>;
  #watermark: number | null;
  #failedFloor: number | null = null;

  constructor(lastSequence: number | null, recent: readonly string[]) {
    this.#watermark = lastSequence;
    this.#recent = recent.slice(-RECENT_LIMIT);
    this.#recentSet = new Set(this.#recent);
  }

  /** The highest sequence number stored so far (null before the first). */
  get lastSequence(): number | null {
    return this.#watermark;
  }

  /** The fingerprints to persist. */
  get recent(): readonly string[] {
    return this.#recent;
  }

  /** Forgets everything (another instrument now answers at this address). */
  reset(): void {
    this.#watermark = null;
    this.#recent.length = 0;
    this.#recentSet.clear();
    this.#pending.clear();
    this.#failedFloor = null;
  }

  /** Claims a reading: its key when it is new (pending until committed), `duplicate` otherwise. */
  claim(r: Reading): { readonly duplicate: boolean; readonly key: string | null } {
    const key = dedupeKey(r);
    if (key === null) return { duplicate: false, key };
    if (this.#pending.has(key) || this.#recentSet.has(key)) return { duplicate: true, key };
    if (
      r.sequenceNumber !== undefined &&
      this.#watermark !== null &&
      isNewerSequence(this.#watermark, r.sequenceNumber)
    )
      return { duplicate: true, key };
    this.#pending.add(key);
    return { duplicate: false, key };
  }

  /** The reading behind `key` is stored: advance the watermark or remember the fingerprint. */
  committed(key: string, r: Reading): void {
    this.#pending.delete(key);
    const n = r.sequenceNumber;
    const held = n !== undefined && this.#failedFloor !== null && !isNewerSequence(this.#failedFloor, n);
    if (n !== undefined && !held && (this.#watermark === null || isNewerSequence(n, this.#watermark)))
      this.#watermark = n;
    this.#recent.push(key);
    this.#recentSet.add(key);
    while (this.#recent.length > RECENT_LIMIT) this.#recentSet.delete(this.#recent.shift()!);
  }

  /** The reading behind `key` was not stored: let a resend through, and ask for it again. */
  failed(key: string, r: Reading): void {
    this.#pending.delete(key);
    const n = r.sequenceNumber;
    if (n !== undefined && (this.#failedFloor === null || isNewerSequence(this.#failedFloor, n)))
      this.#failedFloor = n;
  }
}
