/**
 * How fast one device may signal through the hub, and the token bucket both ends use to keep to
 * it. The hub refuses what goes beyond its bucket (an abusive or broken client); a well-behaved
 * client paces its own sends through a smaller bucket, so that a burst of reconnects (each one an
 * offer, a few dozen ICE candidates and a bye) is delayed a little instead of losing an offer and
 * waiting out the connect timeout.
 */

/** The hub's limit per device: a bucket of this many messages, refilled at this rate per second. */
export const HUB_SIGNAL_LIMIT = { burst: 200, perSecond: 200 } as const;
/** What a client allows itself: well inside the hub's limit, whatever the two clocks' phase. */
export const CLIENT_SIGNAL_LIMIT = { burst: 100, perSecond: 100 } as const;

/** A token bucket on a monotonic clock: `take()` spends one token when there is one. */
export class TokenBucket {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(limit: { burst: number; perSecond: number }, now: () => number = () => performance.now()) {
    this.#burst = limit.burst;
    this.#perMs = limit.perSecond / 1000;
    this.#now = now;
    this.#tokens = limit.burst;
    this.#at = now();
  }

  #refill(): void {
    const t = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (t - this.#at) * this.#perMs);
    this.#at = t;
  }

  /** Spends one token; false when the bucket is empty. */
  take(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until one token is available (0 when one is). */
  waitMs(): number {
    this.#refill();
    return this.#tokens >= 1 ? 0 : Math.ceil((1 - this.#tokens) / this.#perMs);
  }
}
