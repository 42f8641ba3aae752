import { randomBytes } from 'node:crypto';
import type { KitEvent } from '../../events.ts';
import type { LiveBus } from '../../live-bus.ts';
import { EPHEMERAL, toWireEvent } from './wire-event.ts';

/** One event kept for replay: its sequence number, SSE name and serialised data. */
export interface JournalEntry {
  readonly seq: number;
  readonly event: string;
  readonly data: string;
  /** The whole `text/event-stream` frame (event, data, id), UTF-8: what every connection writes. */
  readonly frame: Uint8Array;
}

/** An event sent live only (see {@link EPHEMERAL}). */
export interface EphemeralMessage {
  readonly event: string;
  readonly data: string;
  /** Its `text/event-stream` frame (no id), UTF-8. */
  readonly frame: Uint8Array;
}

const utf8 = new TextEncoder();

/**
 * One event in the `text/event-stream` format, as bytes (event names and ids are the kit's own,
 * one line each; the data may hold line breaks, each line its own `data:` field).
 */
export function sseFrame(m: {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
}): Uint8Array {
  const data = m.data
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
  return utf8.encode(`event: ${m.event}\n${data}${m.id === undefined ? '' : `id: ${m.id}\n`}\n`);
}

/** Bounds of the replay buffer: whichever is reached first drops the oldest events. */
export interface JournalLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
}

/** Where a reconnecting tablet resumes: after `seq`, or nowhere (it must reload its state). */
export type ResumePoint =
  | { readonly ok: true; readonly seq: number }
  | { readonly ok: false; readonly reason: 'restarted' | 'too_old' | 'invalid' };

/**
 * The live channel's memory: every durable kit event gets an id (`<epoch>:<seq>`, the epoch new
 * at each kit start) and is kept in a bounded buffer, so a tablet that lost its connection asks
 * for what came after its last id and misses nothing; one that was away longer than the buffer
 * reaches (or across a kit restart) is told to reload instead. Serialised and encoded once
 * (JSON, then the SSE frame's bytes), shared by every connection: ten tablets cost the kit one
 * encoding per reading, not ten.
 */
export class LiveJournal {
  /** Changes at every start: an id from before a restart is never mistaken for a current one. */
  readonly epoch = randomBytes(6).toString('base64url');
  readonly #limits: JournalLimits;
  readonly #entries: JournalEntry[] = [];
  #first = 0; // index of the oldest kept entry in #entries (dropped ones are spliced in bulk)
  #bytes = 0;
  #seq = 0;
  readonly #wakers = new Set<() => void>();
  readonly #ephemeral = new Set<(m: EphemeralMessage) => void>();
  readonly #off: () => void;
  #closed = false;

  constructor(bus: LiveBus<KitEvent>, limits: JournalLimits = { maxEvents: 4096, maxBytes: 8 << 20 }) {
    this.#limits = limits;
    this.#off = bus.subscribe((e) => this.#append(e));
  }

  /** The id of the newest event (seq 0 before any). */
  get head(): number {
    return this.#seq;
  }

  /** The formatted event id of a sequence number. */
  idOf(seq: number): string {
    return `${this.epoch}:${seq}`;
  }

  /** Where a `Last-Event-ID` lets a tablet resume. */
  resumeFrom(lastEventId: string | undefined): ResumePoint {
    if (lastEventId === undefined || lastEventId === '') return { ok: true, seq: this.#seq };
    const m = /^([A-Za-z0-9_-]{1,16}):(\d{1,15})$/.exec(lastEventId);
    if (!m) return { ok: false, reason: 'invalid' };
    if (m[1] !== this.epoch) return { ok: false, reason: 'restarted' };
    const seq = Number(m[2]);
    if (seq > this.#seq) return { ok: false, reason: 'invalid' };
    return seq < this.#oldestSeq() - 1 ? { ok: false, reason: 'too_old' } : { ok: true, seq };
  }

  /** Events after `seq`, oldest first; `undefined` when some of them were already dropped. */
  since(seq: number): readonly JournalEntry[] | undefined {
    if (seq >= this.#seq) return [];
    if (seq < this.#oldestSeq() - 1) return undefined;
    const start = this.#first + (seq - (this.#oldestSeq() - 1));
    return this.#entries.slice(start);
  }

  /**
   * Registers a connection: `wake` is called when durable events were added (read them with
   * {@link since}), `onEphemeral` with each live-only event. Returns the unsubscribe function.
   */
  subscribe(wake: () => void, onEphemeral: (m: EphemeralMessage) => void): () => void {
    this.#wakers.add(wake);
    this.#ephemeral.add(onEphemeral);
    return () => {
      this.#wakers.delete(wake);
      this.#ephemeral.delete(onEphemeral);
    };
  }

  /** Connections currently subscribed. */
  get connections(): number {
    return this.#wakers.size;
  }

  /** True once the kit stopped: connections end. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Stops listening to the bus and wakes every connection (they see the kit stopping and end). */
  close(): void {
    this.#closed = true;
    this.#off();
    for (const w of [...this.#wakers]) w();
  }

  #oldestSeq(): number {
    return this.#seq - (this.#entries.length - this.#first) + 1;
  }

  #append(e: KitEvent): void {
    const wire = toWireEvent(e);
    const data = JSON.stringify(wire.data);
    if (EPHEMERAL.has(wire.event)) {
      if (this.#ephemeral.size === 0) return;
      const m = { event: wire.event, data, frame: sseFrame({ event: wire.event, data }) };
      for (const l of [...this.#ephemeral]) l(m);
      return;
    }
    this.#seq += 1;
    const frame = sseFrame({ event: wire.event, data, id: this.idOf(this.#seq) });
    this.#entries.push({ seq: this.#seq, event: wire.event, data, frame });
    this.#bytes += data.length;
    while (
      this.#entries.length - this.#first > this.#limits.maxEvents ||
      (this.#bytes > this.#limits.maxBytes && this.#entries.length - this.#first > 1)
    ) {
      this.#bytes -= this.#entries[this.#first]!.data.length;
      this.#first += 1;
    }
    // Compact once the dropped prefix is as large as what is kept (amortised O(1) per event).
    if (this.#first > 0 && this.#first >= this.#entries.length - this.#first) {
      this.#entries.splice(0, this.#first);
      this.#first = 0;
    }
    for (const w of [...this.#wakers]) w();
  }
}
