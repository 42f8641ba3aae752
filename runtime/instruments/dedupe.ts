import { createHash } from 'node:crypto';
import type { Reading } from '../../ble-devices/drivers/driver.ts';

/** How many fingerprints of recent readings an instrument keeps across restarts. */
export const RECENT_LIMIT = 256;

/** Whether `n` comes after `last` on the 16-bit record counter (it wraps at 0xFFFF). */
export function isNewerSequence(n: number, last: number): boolean {
  const d = (n - last) & 0xffff;
  return d !== 0 && d < 0x8000;
}

const before = (n: number): number => (n - 1) & 0xffff;

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
 * a cuff resending its whole memory. Numbered records (glucose) are duplicates below the
 * watermark (the highest number up to which everything is stored, kept in the remembered
 * instrument, so RACP asks only for newer ones), or when stored earlier in this run, or among the
 * latest stored keys (a measurement and its context share a number, so keys carry the
 * characteristic). Timestamped records without a number are matched by device time and value;
 * live streams with neither are never held back.
 *
 * The watermark only passes records that are committed: a record handed to the store but not yet
 * committed, one the store refused, or one that arrived unreadable (a gap right after the last
 * record seen) holds it below, so the next download asks for it again. A key is pending from the
 * moment its reading goes to the store until the commit, so a quick resend is caught too.
 */
export class ReadingDeduper {
  readonly #pending = new Set<string>();
  /** Numbers handed to the store and not yet committed. */
  readonly #pendingNumbers = new Map<number, number>();
  readonly #recent: string[];
  readonly #recentSet: Set<string>;
  /** Every numbered key stored since the kit started (at most 65 536 per characteristic). */
  readonly #storedNumbers = new Set<string>();
  /** The watermark as stored: everything up to it is committed. */
  #watermark: number | null;
  /** The highest number known stored (committed, or stored earlier in this run). */
  #high: number | null;
  /** The first number that failed or arrived unreadable; null = no hold; 'all' = nothing known. */
  #hold: number | 'all' | null = null;
  #lastSeen: number | null = null;

  constructor(lastSequence: number | null, recent: readonly string[]) {
    this.#watermark = lastSequence;
    this.#high = lastSequence;
    this.#recent = recent.slice(-RECENT_LIMIT);
    this.#recentSet = new Set(this.#recent);
  }

  /** Everything up to this number is stored (null before the first). */
  get lastSequence(): number | null {
    return this.#watermark;
  }

  /** The fingerprints to persist. */
  get recent(): readonly string[] {
    return this.#recent;
  }

  /** True while a failed or unreadable record holds the watermark back. */
  get held(): boolean {
    return this.#hold !== null;
  }

  /** Forgets everything (another instrument now answers at this address). */
  reset(): void {
    this.#watermark = null;
    this.#high = null;
    this.#recent.length = 0;
    this.#recentSet.clear();
    this.#pending.clear();
    this.#pendingNumbers.clear();
    this.#storedNumbers.clear();
    this.#hold = null;
    this.#lastSeen = null;
  }

  /** Claims a reading: its key when it is new (pending until committed), `duplicate` otherwise. */
  claim(r: Reading): { readonly duplicate: boolean; readonly key: string | null } {
    const key = dedupeKey(r);
    if (key === null) return { duplicate: false, key };
    const n = r.sequenceNumber;
    if (n !== undefined) this.#lastSeen = n;
    if (n !== undefined && this.#storedNumbers.has(key)) {
      // Stored earlier in this run (a transfer asked again after a gap): it still counts as
      // stored for the watermark, which the gap had held below it.
      this.#stored(n);
      return { duplicate: true, key };
    }
    if (this.#pending.has(key) || this.#recentSet.has(key)) return { duplicate: true, key };
    // Strictly older only: the record at the watermark may have a context still to come, which
    // the stored keys tell apart from a resend.
    if (n !== undefined && this.#watermark !== null && isNewerSequence(this.#watermark, n))
      return { duplicate: true, key };
    this.#pending.add(key);
    if (n !== undefined) this.#pendingNumbers.set(n, (this.#pendingNumbers.get(n) ?? 0) + 1);
    return { duplicate: false, key };
  }

  /** The reading behind `key` is stored: remember its key, move the watermark. */
  committed(key: string, r: Reading): void {
    this.#pending.delete(key);
    this.#recent.push(key);
    this.#recentSet.add(key);
    while (this.#recent.length > RECENT_LIMIT) this.#recentSet.delete(this.#recent.shift()!);
    const n = r.sequenceNumber;
    if (n === undefined) return;
    this.#unpend(n);
    this.#storedNumbers.add(key);
    this.#stored(n);
  }

  /** The reading behind `key` was not stored: let a resend through, and ask for it again. */
  failed(key: string, r: Reading): void {
    this.#pending.delete(key);
    const n = r.sequenceNumber;
    if (n === undefined) return;
    this.#unpend(n);
    this.#holdAt(n);
  }

  /**
   * A numbered record's frame arrived unreadable: its number is unknown, but it comes right after
   * the last one seen, so the watermark stops before it and the next download asks again.
   */
  gap(): void {
    if (this.#lastSeen === null) this.#hold = 'all';
    else this.#holdAt((this.#lastSeen + 1) & 0xffff);
    this.#settle();
  }

  /**
   * Starts a download afresh: it asks for everything after the watermark, so the holds are
   * covered by it, and what it resends moves the watermark up again record by record.
   */
  releaseHold(): void {
    this.#hold = null;
    this.#lastSeen = this.#watermark;
    this.#high = this.#watermark;
  }

  #holdAt(n: number): void {
    if (this.#hold === 'all') return;
    if (this.#hold === null || isNewerSequence(this.#hold, n)) this.#hold = n;
  }

  #unpend(n: number): void {
    const left = (this.#pendingNumbers.get(n) ?? 1) - 1;
    if (left > 0) this.#pendingNumbers.set(n, left);
    else this.#pendingNumbers.delete(n);
  }

  #stored(n: number): void {
    if (this.#high === null || isNewerSequence(n, this.#high)) this.#high = n;
    this.#settle();
  }

  /** The watermark: the highest stored number, below any pending, failed or unreadable record. */
  #settle(): void {
    if (this.#high === null || this.#hold === 'all') return;
    let w = this.#high;
    for (const p of this.#pendingNumbers.keys()) if (!isNewerSequence(p, w)) w = before(p);
    if (this.#hold !== null && !isNewerSequence(this.#hold, w)) w = before(this.#hold);
    if (this.#watermark === null || isNewerSequence(w, this.#watermark)) this.#watermark = w;
  }
}
