import { contecCommand } from '../../codecs/contec/commands.ts';
import { CMS50_LINE } from '../../codecs/contec/cms50-link.ts';
import { ContecStreamParser, type ContecGeneration } from '../../codecs/contec/stream-parser.ts';
import { TransportError } from '../../transport.ts';
import { SerialLine } from './serial-line.ts';
import { addParserDelta, type SerialCounters } from './serial-counters.ts';

/** Frames in a row, with no byte dropped between them, that prove an oximeter is talking. */
export const FRAMES_IN_A_ROW = 4;

/** What a probe found on a port. */
export type ProbeResult =
  | { readonly kind: 'instrument'; readonly generation: ContecGeneration }
  /** Not one byte arrived at any setting: a cable with no device, or a device switched off. */
  | { readonly kind: 'silent' }
  /** Bytes arrived but never as frames: a baud-rate mismatch, another device, or line noise. */
  | { readonly kind: 'unreadable'; readonly bytes: number }
  /** The port could not be opened (gone, in use, no permission). */
  | { readonly kind: 'failed'; readonly error: TransportError };

/**
 * Decides whether bytes are a CMS50 stream: fed byte by byte, it counts frames that follow each
 * other with nothing dropped in between. Random bytes make a 5-byte frame 1 time in 32; four in
 * a row 1 time in a million, so line noise or a wrong baud rate is not taken for an oximeter.
 */
export class StreamJudge {
  readonly parser: ContecStreamParser;
  #run = 0;
  #dropped = 0;

  constructor(generation: ContecGeneration) {
    this.parser = new ContecStreamParser({ generation });
  }

  /** Feeds bytes; true once enough frames arrived in a row. */
  push(chunk: Uint8Array): boolean {
    for (let i = 0; i < chunk.length; i++) {
      const frames = this.parser.pushChunk(chunk.subarray(i, i + 1));
      const dropped = this.parser.stats.droppedBytes;
      if (dropped !== this.#dropped) {
        this.#dropped = dropped;
        this.#run = 0;
      }
      this.#run += frames.length;
    }
    return this.#run >= FRAMES_IN_A_ROW;
  }
}

/** How long to listen at each setting and which generations to try. */
export interface ProbeOptions {
  readonly windowMs: number;
  /** Try these, in order (DEVICES.md 9.1: the 9-byte protocol at 115200 first). */
  readonly generations: readonly ContecGeneration[];
  readonly counters: SerialCounters;
  readonly signal?: AbortSignal;
}

const START_LIVE = contecCommand.encode({ generation: '9byte', code: 0xa1 });
const RESEND_MS = 250;
/** How often a probe's listening clock ticks. */
export const PROBE_TICK_MS = 50;
/** The most one tick counts for, however late it comes. */
export const PROBE_TICK_CREDIT_MS = 4 * PROBE_TICK_MS;
/** However starved the kit is, a probe at one setting ends after this many windows of wall time. */
export const PROBE_MAX_STRETCH = 3;

/**
 * The time a probe has really listened at one setting. An oximeter sends a frame every ~17 ms,
 * so the window is long enough only if the kit was running to read them: a tick that comes late
 * (the event loop was starved by a loaded CPU) counts for at most {@link PROBE_TICK_CREDIT_MS},
 * so a stall does not use up the window while frames wait unread. Wall time is still bounded, by
 * {@link PROBE_MAX_STRETCH} windows.
 */
export class ListeningClock {
  #listened = 0;
  #last: number;
  readonly #start: number;

  constructor(
    readonly windowMs: number,
    readonly now: () => number = () => performance.now(),
  ) {
    this.#start = this.#last = now();
  }

  /** Counts the time since the last tick (a late one only in part); true once the window is used up. */
  tick(): boolean {
    const t = this.now();
    this.#listened += Math.min(t - this.#last, PROBE_TICK_CREDIT_MS);
    this.#last = t;
    return this.#listened >= this.windowMs || t - this.#start >= this.windowMs * PROBE_MAX_STRETCH;
  }

  /** Time counted as listened so far. */
  get listenedMs(): number {
    return this.#listened;
  }
}

async function listen(
  path: string,
  generation: ContecGeneration,
  o: ProbeOptions,
): Promise<number | 'found'> {
  const line = await SerialLine.open(path, CMS50_LINE[generation], o.signal);
  const judge = new StreamJudge(generation);
  let bytes = 0;
  try {
    return await new Promise<number | 'found'>((resolve) => {
      let done = false;
      const finish = (result: number | 'found'): void => {
        if (done) return;
        done = true;
        clearInterval(clockTimer);
        clearTimeout(grace);
        clearInterval(ask);
        o.signal?.removeEventListener('abort', onAbort);
        offClose();
        resolve(result);
      };
      const onAbort = (): void => finish(bytes);
      const clock = new ListeningClock(o.windowMs);
      let grace: NodeJS.Timeout | undefined;
      // Once the window is used up, one more tick reads what already arrived (after a stall,
      // frames may sit unread behind the timer) before the setting is given up.
      const clockTimer = setInterval(() => {
        if (grace || !clock.tick()) return;
        clearInterval(clockTimer);
        grace = setTimeout(() => finish(bytes), PROBE_TICK_MS);
      }, PROBE_TICK_MS);
      // The 9-byte family is silent until asked; ask again in case the first ask was garbled.
      const send = (): void => {
        if (generation !== '9byte') return;
        o.counters.commandsSent++;
        o.counters.bytesOut += START_LIVE.length;
        line.write(START_LIVE).catch(() => undefined);
      };
      const ask = setInterval(send, RESEND_MS);
      send();
      const offClose = line.onClose(() => finish(bytes));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      line.onData((chunk) => {
        bytes += chunk.length;
        const before = judge.parser.stats;
        const found = judge.push(chunk);
        addParserDelta(o.counters, before, judge.parser.stats);
        if (found) finish('found');
      });
    });
  } finally {
    await line.close();
  }
}

/**
 * Opens the port at each generation's line settings in turn and listens for a CMS50 stream.
 * A port counts as an instrument only once frames arrive: a CP2102 cable enumerates with no
 * oximeter attached.
 */
export async function probePort(path: string, o: ProbeOptions): Promise<ProbeResult> {
  o.counters.probes++;
  let total = 0;
  for (const generation of o.generations) {
    if (o.signal?.aborted) break;
    try {
      const r = await listen(path, generation, o);
      if (r === 'found') return { kind: 'instrument', generation };
      total += r;
    } catch (err) {
      if (err instanceof TransportError) return { kind: 'failed', error: err };
      throw err;
    }
  }
  return total === 0 ? { kind: 'silent' } : { kind: 'unreadable', bytes: total };
}
