import { BLOCK_BYTES, MAX_CHUNK_BYTES } from './frames.ts';

/** Tuning of the sender's pacing (defaults for a 256 kbit/s link with cuts). */
export interface PacingOptions {
  /** How long one chunk may occupy the link: an urgent item waits at most about this (default 0.5 s). */
  readonly chunkSeconds?: number;
  /**
   * Data kept queued in the path beyond the confirmation delay, in seconds at the measured rate
   * (default 0.15 s): what keeps the line busy while confirmations travel back. The path holds
   * one chunk unless this needs more (a long round trip).
   */
  readonly queueSeconds?: number;
  /** Rate assumed before anything was measured, bytes/s (default 16 KiB/s = 128 kbit/s). */
  readonly initialRate?: number;
  /** Largest number of bytes sent and not yet acknowledged as durable, bytes (default 4 MiB). */
  readonly maxWindow?: number;
}

/** Seconds of data that may wait for the receiver's disk (received, not yet acknowledged). */
const UNACKED_SECONDS = 4;
/** Unacknowledged bytes allowed whatever the rate (a slow disk at the receiver must not stall us). */
const MIN_UNACKED = 256 * 1024;
/** Rate samples span at least this long (shorter ones are bursts of confirmations, not the line). */
const MIN_SPAN_S = 0.5;
/** Confirmations older than this leave the rate sample. */
const SAMPLE_MS = 2000;
/** How long a measured rate is remembered. */
const RECENT_MS = 5000;

/**
 * Measures the link from what the receiver confirms (never from the carrier's buffer or state)
 * and derives the sender's three limits from it.
 *
 * Two confirmations exist: the receiver's ACK says blocks are on its disk; a PONG to a probe PING
 * sent right behind a frame says everything before the probe has arrived (frames are ordered,
 * and the peer answers PINGs as they arrive, before its disk work). Bytes sent and not yet
 * known to have arrived are in the path (socket buffers, the radio's queue); bytes arrived and
 * not yet acknowledged are only waiting for the receiver's disk. They are limited separately:
 *
 * - rate: bytes confirmed per second (by probe or ACK) over the last 2 s while data was waiting,
 *   smoothed, the highest of the last 5 s;
 * - chunk = rate x chunkSeconds, in whole 4 KiB blocks (1 to 64), so a chunk in flight holds an
 *   urgent item back by at most ~chunkSeconds;
 * - path = one chunk, or rate x (min round trip + queueSeconds) + a block where that is more (a
 *   long round trip): enough queued to keep the line busy while a confirmation travels back, and
 *   no more, so an urgent item queues behind at most a chunk, a cut strands at most a chunk, and a
 *   small radio queue is not overflowed (an overflow is loss and a TCP retransmission). The sender
 *   sends it in frames of half a chunk ({@link frameBlocks}) and refills as each is confirmed, so
 *   the line never waits for a whole chunk's confirmation. A low rate estimate still fills the
 *   line: confirmations come at the line's rate while data waits, and the estimate follows;
 * - window (unacknowledged bytes) = rate x 4 s, at least 256 KiB: the receiver's disk may lag
 *   behind the line without stopping it. Its size costs nothing after a cut: the receiver keeps
 *   what arrived, and its HAVE says so.
 */
export class LinkPacer {
  readonly #chunkSeconds: number;
  readonly #queueSeconds: number;
  readonly #maxWindow: number;
  /** The smoothed estimate, and its recent values (the rate used is their maximum). */
  #smoothed: number;
  #recent: { at: number; rate: number }[] = [];
  #minRtt = Infinity;
  #confirmed: { at: number; bytes: number }[] = [];
  #measured = false;

  constructor(options: PacingOptions = {}) {
    this.#chunkSeconds = options.chunkSeconds ?? 0.5;
    this.#queueSeconds = options.queueSeconds ?? 0.15;
    this.#maxWindow = options.maxWindow ?? 4 * 1024 * 1024;
    this.#smoothed = options.initialRate ?? 16 * 1024;
  }

  /**
   * Current estimate, bytes per second: the highest smoothed rate of the last few seconds. A
   * stall (a TCP retransmission timeout, the receiver busy a moment) delays confirmations without
   * making the line slower, and must not shrink the path, or the line idles and the estimate
   * spirals down.
   */
  get rate(): number {
    let best = this.#smoothed;
    for (const r of this.#recent) best = Math.max(best, r.rate);
    return best;
  }

  /** True once the link was measured (before, {@link rate} is only the assumed initial rate). */
  get measured(): boolean {
    return this.#measured;
  }

  /**
   * Smallest round trip seen on this connection (ms), or undefined: the confirmation delay of an
   * empty path (the session's first PING goes out before any data, later ones queue behind it).
   */
  get minRttMs(): number | undefined {
    return Number.isFinite(this.#minRtt) ? this.#minRtt : undefined;
  }

  /** A round-trip sample from a PONG (heartbeat or probe). */
  rtt(ms: number): void {
    this.#minRtt = Math.min(this.#minRtt, ms);
  }

  /**
   * Bytes newly known to have reached the receiver. `backlogged` says data was waiting when they
   * were sent; only then does the confirmation rate measure the link rather than our own idleness.
   */
  delivered(bytes: number, backlogged: boolean, now = Date.now()): void {
    this.#confirmed.push({ at: now, bytes });
    while (this.#confirmed.length > 0 && now - this.#confirmed[0]!.at > SAMPLE_MS) this.#confirmed.shift();
    if (!backlogged || this.#confirmed.length < 3) return;
    const span = (now - this.#confirmed[0]!.at) / 1000;
    if (span < MIN_SPAN_S) return;
    // The first entry opens the interval: its bytes arrived before it.
    let total = 0;
    for (let i = 1; i < this.#confirmed.length; i++) total += this.#confirmed[i]!.bytes;
    this.#smoothed = 0.7 * this.#smoothed + 0.3 * (total / span);
    this.#measured = true;
    this.#recent.push({ at: now, rate: this.#smoothed });
    while (this.#recent.length > 0 && now - this.#recent[0]!.at > RECENT_MS) this.#recent.shift();
  }

  /** Forgets measurements of a connection that ended (a new path may differ); keeps the rate. */
  reset(): void {
    this.#confirmed = [];
    this.#recent = [];
    this.#minRtt = Infinity;
  }

  /** Bytes per chunk: whole blocks (the nearest number), 1..64. */
  get chunkBytes(): number {
    const blocks = Math.round((this.rate * this.#chunkSeconds) / BLOCK_BYTES);
    return Math.min(MAX_CHUNK_BYTES, Math.max(1, blocks) * BLOCK_BYTES);
  }

  /**
   * Data bytes that may be sent and not yet known to have arrived (in the path): one chunk, or
   * more only where the line's round trip needs more to stay busy (rate x (min round trip +
   * queueSeconds) and a block). Whatever is in the path when a cut comes is lost with the
   * connection, so on a slow radio link a cut costs at most one chunk; the sender fills this
   * budget in sub-chunk frames, so the line stays busy without a second chunk queued behind the first.
   */
  get pathBytes(): number {
    const rtt = (this.minRttMs ?? 100) / 1000;
    const needed = this.rate * (rtt + this.#queueSeconds) + BLOCK_BYTES;
    return Math.min(this.#maxWindow, Math.max(this.chunkBytes, needed));
  }

  /**
   * Blocks per CHUNK frame: half a chunk (at least one block). A frame counts as arrived only
   * whole, so two frames per chunk let the sender refill the path while the first is confirmed,
   * and a cut strands at most the path's budget, never a partial frame beyond it.
   */
  get frameBlocks(): number {
    return Math.max(1, Math.floor(this.chunkBytes / BLOCK_BYTES / 2));
  }

  /** Bytes that may be sent and not yet acknowledged as durable. */
  get window(): number {
    return Math.min(this.#maxWindow, Math.max(MIN_UNACKED, this.rate * UNACKED_SECONDS, 2 * this.pathBytes));
  }
}
