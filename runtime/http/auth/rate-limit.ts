/** A sliding-window limit: at most `max` events per `windowMs`. */
export interface WindowLimit {
  readonly max: number;
  readonly windowMs: number;
}

/**
 * Counts failures per client and overall in sliding windows, so guessing pairing codes is slow
 * from one tablet and from many: with 20 failures per 5 minutes overall, an 8-digit code that
 * lives 10 minutes is guessed with odds of about 4 in 10 million. Memory is bounded: at most
 * `maxClients` clients are tracked, the stalest forgotten first.
 */
export class FailureLimiter {
  readonly #perClient: WindowLimit;
  readonly #overall: WindowLimit;
  readonly #now: () => number;
  readonly #clients = new Map<string, number[]>();
  #all: number[] = [];
  readonly #maxClients: number;

  constructor(options: {
    perClient: WindowLimit;
    overall: WindowLimit;
    now?: () => number;
    maxClients?: number;
  }) {
    this.#perClient = options.perClient;
    this.#overall = options.overall;
    this.#now = options.now ?? Date.now;
    this.#maxClients = options.maxClients ?? 1024;
  }

  /** Seconds until `client` may try again, or 0 when it may try now. */
  retryAfter(client: string): number {
    const now = this.#now();
    this.#all = this.#all.filter((t) => now - t < this.#overall.windowMs);
    const mine = (this.#clients.get(client) ?? []).filter((t) => now - t < this.#perClient.windowMs);
    let until = 0;
    if (mine.length >= this.#perClient.max) until = Math.max(until, mine[0]! + this.#perClient.windowMs);
    if (this.#all.length >= this.#overall.max)
      until = Math.max(until, this.#all[0]! + this.#overall.windowMs);
    return until === 0 ? 0 : Math.max(1, Math.ceil((until - now) / 1000));
  }

  /** Records a failed attempt of `client`. */
  fail(client: string): void {
    const now = this.#now();
    this.#all.push(now);
    const mine = (this.#clients.get(client) ?? []).filter((t) => now - t < this.#perClient.windowMs);
    mine.push(now);
    this.#clients.delete(client);
    this.#clients.set(client, mine);
    if (this.#clients.size > this.#maxClients) {
      const stalest = this.#clients.keys().next().value;
      if (stalest !== undefined) this.#clients.delete(stalest);
    }
  }
}
