/** Options of {@link Backoff}. */
export interface BackoffOptions {
  /** First delay, ms. */
  readonly baseMs: number;
  /** Largest delay, ms. */
  readonly maxMs: number;
  /** Random source in [0, 1) (tests pass a seeded one). */
  readonly random?: () => number;
}

/**
 * Reconnection delays: exponential (base, 2x, 4x ... up to max) with "equal jitter" (half the
 * step fixed, half random), so a kit with a dozen instruments that all dropped at once (the
 * vehicle drove off) does not hammer the radio in lockstep, while one lost cuff still comes back
 * quickly. `reset()` after a link that worked.
 */
export class Backoff {
  #attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt; each call doubles the step up to the maximum. */
  next(): number {
    const step = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    const random = this.options.random ?? Math.random;
    return Math.round(step / 2 + random() * (step / 2));
  }

  /** Back to the base delay (the link worked). */
  reset(): void {
    this.#attempt = 0;
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }
}
