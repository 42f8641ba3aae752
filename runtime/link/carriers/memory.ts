import type { CarrierConnection, CloseInfo, RemotePeer } from '../carrier.ts';
import { ConnectionEvents } from '../carrier.ts';
import { MAX_FRAME_BYTES } from '../frames.ts';

/** Options of {@link createMemoryPair}. */
export interface MemoryPairOptions {
  readonly a: RemotePeer;
  readonly b: RemotePeer;
  /** One-way delay per frame in ms (0: next macrotask). */
  readonly latencyMs?: number;
  /** Bytes per second each way (undefined: unlimited). Frames queue behind each other. */
  readonly bytesPerSecond?: number;
  readonly maxFrameBytes?: number;
}

/** A memory connection pair with a switch to cut traffic silently (a radio outage). */
export interface MemoryPair {
  readonly a: CarrierConnection;
  readonly b: CarrierConnection;
  /** While cut, frames vanish both ways and nobody is told (as on a real radio link). */
  setCut(cut: boolean): void;
  /** Frames and bytes that entered the pipe each way. */
  readonly stats: { frames: number; bytes: number };
}

/**
 * A real in-process carrier (not a mock): two connected ends with optional latency and a rate
 * limit, delivering in order on timers, with a silent cut. Unit tests of sessions and the
 * scheduler run on it in milliseconds; it also runs the shared carrier acceptance suite.
 */
export function createMemoryPair(options: MemoryPairOptions): MemoryPair {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  let cut = false;
  const stats = { frames: 0, bytes: 0 };
  const ends: MemoryEnd[] = [];
  class MemoryEnd implements CarrierConnection {
    readonly carrier = 'memory';
    readonly maxFrameBytes = maxFrameBytes;
    readonly events = new ConnectionEvents();
    #lineFreeAt = 0;
    #pending = new Set<NodeJS.Timeout>();
    #buffered = 0;
    constructor(
      readonly remote: RemotePeer,
      readonly index: 0 | 1,
    ) {}

    get closed(): boolean {
      return this.events.closeInfo !== undefined;
    }

    send(frame: Uint8Array): boolean {
      if (this.closed || frame.byteLength > maxFrameBytes) return false;
      const other = ends[1 - this.index]!;
      stats.frames++;
      stats.bytes += frame.byteLength;
      const now = Date.now();
      const transmit = options.bytesPerSecond ? (frame.byteLength / options.bytesPerSecond) * 1000 : 0;
      this.#lineFreeAt = Math.max(now, this.#lineFreeAt) + transmit;
      const delay = this.#lineFreeAt - now + (options.latencyMs ?? 0);
      const copy = Uint8Array.from(frame);
      const droppedByCut = cut;
      this.#buffered += frame.byteLength;
      const timer = setTimeout(() => {
        this.#pending.delete(timer);
        this.#buffered -= frame.byteLength;
        if (!droppedByCut && !cut && !other.closed) other.events.frame(copy);
      }, delay);
      this.#pending.add(timer);
      return true;
    }

    bufferedBytes(): number {
      return this.#buffered;
    }

    onFrame(listener: (frame: Uint8Array) => void): () => void {
      return this.events.onFrame(listener);
    }

    onClose(listener: (info: CloseInfo) => void): () => void {
      return this.events.onClose(listener);
    }

    close(reason = 'closed'): void {
      this.shutdown({ by: 'local', reason });
      // The peer hears of it only if the line is up, like a real close message.
      const other = ends[1 - this.index]!;
      if (!cut) setTimeout(() => other.shutdown({ by: 'remote', reason }), options.latencyMs ?? 0);
    }

    shutdown(info: CloseInfo): void {
      if (!this.events.close(info)) return;
      for (const t of this.#pending) clearTimeout(t);
      this.#pending.clear();
      this.#buffered = 0;
    }
  }
  ends.push(new MemoryEnd(options.b, 0), new MemoryEnd(options.a, 1));
  return {
    a: ends[0]!,
    b: ends[1]!,
    setCut: (value) => {
      cut = value;
    },
    stats,
  };
}
