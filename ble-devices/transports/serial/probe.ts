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
      const finish = (result: number | 'found'): void => {
        clearTimeout(deadline);
        clearInterval(ask);
        o.signal?.removeEventListener('abort', onAbort);
        offClose();
        resolve(result);
      };
      const onAbort = (): void => finish(bytes);
      const deadline = setTimeout(() => finish(bytes), o.windowMs);
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
