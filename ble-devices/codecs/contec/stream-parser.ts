import { LIVE5_LENGTH, live5SyncBreak, readLive5, type ContecLive5 } from './frame-5byte.ts';
import { FRAME9_LENGTH, LIVE9_TYPE, live9SyncBreak, readLive9, type ContecLive9 } from './frame-9byte.ts';
import { PLAYBACK9_TYPE, playback9SyncBreak, readPlayback9, type ContecPlayback9 } from './playback-9byte.ts';

/** Which firmware generation the port speaks (DEVICES.md 9.1: try 9-byte @ 115200 first). */
export type ContecGeneration = '5byte' | '9byte';

/** A frame recovered from the byte stream, with its raw bytes for provenance. */
export type ContecFrame =
  | { readonly kind: 'live5'; readonly frame: ContecLive5; readonly raw: Uint8Array }
  | { readonly kind: 'live9'; readonly frame: ContecLive9; readonly raw: Uint8Array }
  | { readonly kind: 'playback9'; readonly frame: ContecPlayback9; readonly raw: Uint8Array };

/**
 * Why bytes were dropped: `noise` could not start a frame, `broken_frame` started one that failed
 * its sync check, `flushed` was a partial frame discarded by {@link ContecStreamParser.flush}.
 */
export type ContecDropReason = 'noise' | 'broken_frame' | 'flushed';

/** Counters a driver surfaces (status page, logs, tests): nothing is dropped silently. */
export interface ContecParserStats {
  readonly bytesIn: number;
  readonly frames: number;
  readonly badFrames: number;
  readonly droppedBytes: number;
  readonly droppedByReason: Readonly<Record<ContecDropReason, number>>;
}

/**
 * Streaming parser for the CMS50 serial stream. Chunks may split frames anywhere; noise before,
 * between and inside frames is skipped by the sync rules and counted. The only state kept between
 * chunks is an incomplete frame, so the buffer never exceeds one frame length minus one byte.
 * The result for a byte stream is the same whatever the chunking.
 */
export class ContecStreamParser {
  readonly generation: ContecGeneration;
  readonly frameLength: number;
  #carry: Uint8Array = new Uint8Array(0);
  #bytesIn = 0;
  #frames = 0;
  #badFrames = 0;
  #dropped: Record<ContecDropReason, number> = { noise: 0, broken_frame: 0, flushed: 0 };

  constructor(options: { readonly generation: ContecGeneration }) {
    if (options.generation !== '5byte' && options.generation !== '9byte') {
      throw new TypeError(`generation must be '5byte' or '9byte', got '${String(options.generation)}'`);
    }
    this.generation = options.generation;
    this.frameLength = options.generation === '5byte' ? LIVE5_LENGTH : FRAME9_LENGTH;
  }

  /** Bytes held for an incomplete frame (always < frameLength). */
  get bufferedBytes(): number {
    return this.#carry.length;
  }

  /** A snapshot of the counters. */
  get stats(): ContecParserStats {
    const d = this.#dropped;
    return {
      bytesIn: this.#bytesIn,
      frames: this.#frames,
      badFrames: this.#badFrames,
      droppedBytes: d.noise + d.broken_frame + d.flushed,
      droppedByReason: { ...d },
    };
  }

  /** Feeds one chunk as read from the port; returns the frames it completed, in order. */
  pushChunk(chunk: Uint8Array): ContecFrame[] {
    this.#bytesIn += chunk.length;
    let buf = chunk;
    if (this.#carry.length > 0) {
      buf = new Uint8Array(this.#carry.length + chunk.length);
      buf.set(this.#carry);
      buf.set(chunk, this.#carry.length);
    }
    const out: ContecFrame[] = [];
    const step = this.generation === '5byte' ? this.#step5.bind(this) : this.#step9.bind(this);
    let i = 0;
    while (i < buf.length) {
      const next = step(buf, i, out);
      if (next === i) break;
      i = next;
    }
    this.#carry = buf.slice(i);
    return out;
  }

  /** Drops a held partial frame (port closed or reopened) and counts it. */
  flush(): void {
    this.#dropped.flushed += this.#carry.length;
    this.#carry = new Uint8Array(0);
  }

  #drop(reason: ContecDropReason, count: number): void {
    this.#dropped[reason] += count;
  }

  /** One decision at `i`; returns the next position, or `i` to wait for more bytes. */
  #step5(buf: Uint8Array, i: number, out: ContecFrame[]): number {
    if ((buf[i]! & 0x80) === 0) {
      this.#drop('noise', 1);
      return i + 1;
    }
    if (buf.length - i < LIVE5_LENGTH) return i;
    const broken = live5SyncBreak(buf, i);
    if (broken > 0) {
      this.#badFrames++;
      this.#drop('broken_frame', broken);
      return i + broken;
    }
    this.#frames++;
    out.push({ kind: 'live5', frame: readLive5(buf, i), raw: buf.slice(i, i + LIVE5_LENGTH) });
    return i + LIVE5_LENGTH;
  }

  #step9(buf: Uint8Array, i: number, out: ContecFrame[]): number {
    const type = buf[i]!;
    if (type !== LIVE9_TYPE && type !== PLAYBACK9_TYPE) {
      this.#drop('noise', 1);
      return i + 1;
    }
    if (buf.length - i < FRAME9_LENGTH) return i;
    const broken = type === LIVE9_TYPE ? live9SyncBreak(buf, i) : playback9SyncBreak(buf, i);
    if (broken > 0) {
      this.#badFrames++;
      this.#drop('broken_frame', broken);
      return i + broken;
    }
    this.#frames++;
    const raw = buf.slice(i, i + FRAME9_LENGTH);
    out.push(
      type === LIVE9_TYPE
        ? { kind: 'live9', frame: readLive9(buf, i), raw }
        : { kind: 'playback9', frame: readPlayback9(buf, i), raw },
    );
    return i + FRAME9_LENGTH;
  }
}
