import { PROBE_MAX_KBPS } from './call-policy.ts';

/** What one probe measured of the direct path (kit to console). */
export interface ProbeResult {
  /** Throughput of the chunks after the first, kbit/s (at most PROBE_MAX_KBPS). */
  readonly kbps: number;
  /** From the request to the first chunk, ms: a round trip plus the kit's turn-around. */
  readonly rttMs: number;
}

/**
 * Times one probe's chunks as they arrive (see call-policy.ts): the rate counts the bytes after
 * the first chunk over the time from the first to the last, so the round trip does not dilute it.
 * Shared by the console (browser) and the simulated specialist (Node), which pass their own clock.
 */
export class ProbeMeter {
  readonly #n: number;
  readonly #askedAt: number;
  #first: number | undefined;
  #seen = new Set<number>();
  #bytesAfterFirst = 0;

  /** `n` chunks were asked for at `askedAt` (ms, the caller's clock). */
  constructor(n: number, askedAt: number) {
    this.#n = n;
    this.#askedAt = askedAt;
  }

  /**
   * Chunk `i` of `bytes` (its whole message) arrived at `now`: the result once every chunk has,
   * else undefined. A chunk out of range or seen twice is ignored.
   */
  chunk(i: number, bytes: number, now: number): ProbeResult | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.#n || this.#seen.has(i)) return undefined;
    this.#seen.add(i);
    if (this.#first === undefined) this.#first = now;
    else this.#bytesAfterFirst += bytes;
    if (this.#seen.size < this.#n) return undefined;
    // bits per millisecond are kbit/s; a burst that arrived within a millisecond is "very fast".
    const spanMs = Math.max(1, now - this.#first);
    return {
      kbps: Math.min(PROBE_MAX_KBPS, Math.round((this.#bytesAfterFirst * 8) / spanMs)),
      rttMs: Math.max(0, Math.round(this.#first - this.#askedAt)),
    };
  }
}
