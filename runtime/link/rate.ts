import { BLOCK_BYTES, MAX_CHUNK_BYTES } from './frames.ts';

/** Tuning of the sender's pacing (defaults for a 256 kbit/s link with cuts). */
export interface PacingOptions {
  /** How long one chunk may occupy the link: an urgent item waits at most about this (default 0.4 s). */
  readonly chunkSeconds?: number;
  /** Extra queue allowed beyond one chunk and the path's round trip, in seconds of data (default 0.15 s). */
  readonly queueSeconds?: number;
  /** Rate assumed before anything was measured, bytes/s (default 16 KiB/s = 128 kbit/s). */
  readonly initialRate?: number;
  /** Largest window, bytes (default 4 MiB). */
  readonly maxWindow?: number;
}

/**
 * Measures the link from our own acknowledgements (never from the carrier's buffer) and derives
 * the chunk size and the acknowledgement window from it:
 *
 * - rate: bytes acknowledged per second over the last 2 s while data was waiting;
 * - chunk = rate x chunkSeconds, in whole 4 KiB blocks (1 to 64), so a chunk in flight holds an
 *   urgent item back by at most ~chunkSeconds;
 * - window = one chunk + rate x (min RTT + queueSeconds): enough in flight to keep the link busy
 *   while acknowledgements travel back, little enough that an urgent item queues behind about
 *   chunkSeconds + queueSeconds of data. Because the window exceeds the path's round trip, a low
 *   estimate grows on its own. Round trips come from PING/PONG (tiny frames), min over 10 s.
 */
export class LinkPacer {
  readonly #chunkSeconds: number;
  readonly #queueSeconds: number;
  readonly #maxWindow: number;
  #rate: number;
  #minRtt = Infinity;
  #rttSamples: { at: number; rtt: number }[] = [];
  #acks: { at: number; bytes: number }[] = [];

  constructor(options: PacingOptions = {}) {
    this.#chunkSeconds = options.chunkSeconds ?? 0.4;
    this.#queueSeconds = options.queueSeconds ?? 0.15;
    this.#maxWindow = options.maxWindow ?? 4 * 1024 * 1024;
    this.#rate = options.initialRate ?? 16 * 1024;
  }

  /** Current estimate, bytes per second. */
  get rate(): number {
    return this.#rate;
  }

  /** Smallest round trip seen in the last 10 s (ms), or undefined. */
  get minRttMs(): number | undefined {
    return Number.isFinite(this.#minRtt) ? this.#minRtt : undefined;
  }

  /** A round-trip sample from a PONG. */
  rtt(ms: number, now = Date.now()): void {
    this.#rttSamples.push({ at: now, rtt: ms });
    while (this.#rttSamples.length > 0 && now - this.#rttSamples[0]!.at > 10_000) this.#rttSamples.shift();
    this.#minRtt = Math.min(...this.#rttSamples.map((s) => s.rtt));
  }

  /**
   * Bytes acknowledged. `backlogged` says data was waiting when they were sent; only then does
   * the ack rate measure the link rather than our own idleness.
   */
  acked(bytes: number, backlogged: boolean, now = Date.now()): void {
    this.#acks.push({ at: now, bytes });
    while (this.#acks.length > 0 && now - this.#acks[0]!.at > 2000) this.#acks.shift();
    if (!backlogged || this.#acks.length < 3) return;
    const span = (now - this.#acks[0]!.at) / 1000;
    if (span < 0.2) return;
    // The first entry opens the interval: its bytes arrived before it.
    let total = 0;
    for (let i = 1; i < this.#acks.length; i++) total += this.#acks[i]!.bytes;
    const sample = total / span;
    this.#rate = 0.5 * this.#rate + 0.5 * sample;
  }

  /** Forgets measurements of a connection that ended (a new path may differ); keeps the rate. */
  reset(): void {
    this.#acks = [];
    this.#rttSamples = [];
    this.#minRtt = Infinity;
  }

  /** Bytes per chunk: whole blocks, 1..64. */
  get chunkBytes(): number {
    const blocks = Math.floor((this.#rate * this.#chunkSeconds) / BLOCK_BYTES);
    return Math.min(MAX_CHUNK_BYTES, Math.max(1, blocks) * BLOCK_BYTES);
  }

  /** Bytes that may be unacknowledged at once. */
  get window(): number {
    const rtt = (this.minRttMs ?? 200) / 1000;
    return Math.min(this.#maxWindow, this.chunkBytes + this.#rate * (rtt + this.#queueSeconds));
  }
}
