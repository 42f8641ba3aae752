/**
 * When an instrument's link is retried: a quick first retry after a link that worked (a cuff
 * carried a step too far, a strap that blinked), then exponential backoff from `baseMs`, so a
 * device that is really gone does not keep the radio busy.
 */
export interface ReconnectPolicy {
  /** The first retry after a link that worked, ms (jittered down to half of it). */
  readonly firstMs: number;
  /** The second retry, ms; each later one doubles, up to `maxMs`. */
  readonly baseMs: number;
  /** Largest delay, ms. */
  readonly maxMs: number;
}

/**
 * The delay before retry number `attempt` (0 = the first after a link that worked): `firstMs`,
 * then `baseMs`, 2x, 4x ... capped at `maxMs`, each with "equal jitter" (half of the step fixed,
 * half scaled by `random` in [0, 1)). A pure function so the policy is tested as a table; the
 * jitter keeps a dozen instruments that dropped together (the vehicle drove off) from hammering
 * the radio in lockstep.
 */
export function reconnectDelay(attempt: number, policy: ReconnectPolicy, random: number): number {
  const n = Math.max(0, Math.floor(attempt));
  const raw = n === 0 ? policy.firstMs : policy.baseMs * 2 ** Math.min(n - 1, 30);
  const step = Math.min(policy.maxMs, raw);
  const r = Math.min(Math.max(random, 0), 1);
  return Math.round(step / 2 + r * (step / 2));
}

/** Options of {@link Backoff}. */
export interface BackoffOptions extends ReconnectPolicy {
  /** Random source in [0, 1) (tests pass a seeded one). */
  readonly random?: () => number;
}

/**
 * The reconnection delays of one instrument's link, following {@link reconnectDelay}: counts the
 * attempts since the last link that worked. `reset()` after a link that worked.
 */
export class Backoff {
  #attempt = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The delay before the next attempt (quick first, then doubling up to the maximum). */
  next(): number {
    const random = this.options.random ?? Math.random;
    return reconnectDelay(this.#attempt++, this.options, random());
  }

  /** Back to the quick first retry (the link worked). */
  reset(): void {
    this.#attempt = 0;
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }
}
