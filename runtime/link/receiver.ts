import { toHex } from '../../crypto/bytes.ts';
import { Bitset } from './bitset.ts';
import type { CarrierConnection } from './carrier.ts';
import type { Frame } from './frames.ts';
import { blockCount, encodeFrame } from './frames.ts';
import { checkChunk, sha256Hex } from './manifest.ts';
import type { RejectCode, RejectCounters } from './reject.ts';
import { LinkRejectError } from './reject.ts';
import type { IncomingSink } from './transfer.ts';

interface Rx {
  readonly size: number;
  readonly hashes: Uint8Array;
  readonly have: Bitset;
}

/**
 * An ACK waits at most this long for company. ACKs otherwise go out with the next frame's
 * arrival, in the same write as the PONG to the sender's probe behind that frame: one TCP
 * segment (and one ACK of it coming back) instead of two. The sender's window is seconds long;
 * only its progress display sees the delay.
 */
const ACK_HOLD_MS = 500;

/** Logs what the receiver could not blame on the peer (a failing disk). */
export type ReceiverLog = (message: string, detail: Record<string, unknown>) => void;

/**
 * The receiving half of a session. Frames are processed one at a time in arrival order; every
 * chunk is checked against the manifest before anything is written, acknowledged only after the
 * sink's commit is durable, and the whole object's SHA-256 is checked against its id before it
 * is committed. Anything wrong is answered with a typed NACK and counted; nothing partial or
 * unverified ever reaches the sink's committed state.
 */
export class Receiver {
  readonly #conn: CarrierConnection;
  readonly #sink: IncomingSink;
  readonly #counters: RejectCounters;
  readonly #log: ReceiverLog | undefined;
  readonly #objects = new Map<string, Rx>();
  #chain: Promise<void> = Promise.resolve();
  #stopped = false;
  #pendingAcks: Frame[] = [];
  #ackTimer: NodeJS.Timeout | undefined;

  constructor(conn: CarrierConnection, sink: IncomingSink, counters: RejectCounters, log?: ReceiverLog) {
    this.#conn = conn;
    this.#sink = sink;
    this.#counters = counters;
    this.#log = log;
  }

  /**
   * Stops answering. Frames that already arrived are still checked and committed, as they would
   * have been: they crossed intact, and after a cut the sender's next session learns from HAVE
   * that they are held, so a cut costs only what was still on the wire, not what was waiting
   * for the disk here. A commit that fails now (the store closing) is not reported.
   */
  stop(): void {
    this.#stopped = true;
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#pendingAcks = [];
    void this.#chain.finally(() => this.#objects.clear());
  }

  /** Resolves when every frame handed over so far has been processed. */
  idle(): Promise<void> {
    return this.#chain;
  }

  /** Queues a frame for processing in order. */
  handle(frame: Frame & { t: 'item' | 'offer' | 'chunk' }): void {
    if (this.#stopped) return;
    this.#flushAcks();
    this.#chain = this.#chain.then(() => this.#process(frame));
  }

  /** Refuses and counts. */
  nack(id: Uint8Array | null, code: RejectCode, detail: string): void {
    this.#counters.count(code);
    this.#send({ t: 'nack', id, code, detail });
  }

  #send(frame: Frame): void {
    this.#flushAcks();
    if (!this.#stopped) this.#conn.send(encodeFrame(frame));
  }

  /** Holds an ACK until the next frame arrives, something else is sent, or {@link ACK_HOLD_MS}. */
  #ack(frame: Frame & { t: 'ack' }): void {
    if (this.#stopped) return;
    this.#pendingAcks.push(frame);
    this.#ackTimer ??= setTimeout(() => {
      this.#ackTimer = undefined;
      this.#flushAcks();
    }, ACK_HOLD_MS);
  }

  #flushAcks(): void {
    if (this.#ackTimer) clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const acks = this.#pendingAcks;
    if (acks.length === 0) return;
    this.#pendingAcks = [];
    if (!this.#stopped) for (const a of acks) this.#conn.send(encodeFrame(a));
  }

  async #process(frame: Frame & { t: 'item' | 'offer' | 'chunk' }): Promise<void> {
    try {
      if (frame.t === 'item') await this.#item(frame.id, frame.bytes);
      else if (frame.t === 'offer') await this.#offer(frame.id, frame.size, frame.hashes);
      else await this.#chunk(frame.id, frame.first, frame.data);
    } catch (error) {
      if (this.#stopped) return;
      if (error instanceof LinkRejectError) {
        this.#objects.delete(toHex(frame.id));
        this.nack(frame.id, error.code, error.message);
        return;
      }
      this.#log?.('receiver could not store an object', { error: String(error), id: toHex(frame.id) });
      this.nack(frame.id, 'storage_failed', 'the receiver could not commit it; try again later');
    }
  }

  async #item(id: Uint8Array, bytes: Uint8Array): Promise<void> {
    const hex = toHex(id);
    if (sha256Hex(bytes) !== hex)
      throw new LinkRejectError('id_mismatch', 'the item bytes do not hash to its id');
    const outcome = await this.#sink.putWhole(hex, bytes, this.#conn.remote);
    this.#send({ t: 'stored', id, outcome });
  }

  async #offer(id: Uint8Array, size: number, hashes: Uint8Array): Promise<void> {
    const hex = toHex(id);
    const state = await this.#sink.begin(hex, size, hashes, this.#conn.remote);
    if (state.complete) {
      this.#objects.delete(hex);
      this.#send({ t: 'stored', id, outcome: 'duplicate' });
      return;
    }
    const have = state.have ?? new Bitset(blockCount(size));
    this.#objects.set(hex, { size, hashes, have });
    this.#send({ t: 'have', id, complete: false, ranges: have.ranges() });
    if (have.full) await this.#finish(id, hex);
  }

  async #chunk(id: Uint8Array, first: number, data: Uint8Array): Promise<void> {
    const hex = toHex(id);
    const rx = this.#objects.get(hex);
    if (!rx) {
      this.nack(id, 'unknown_item', 'no OFFER for this object on this session');
      return;
    }
    const check = checkChunk(rx.size, rx.hashes, first, data);
    if (!check.ok) {
      // A bad chunk refuses the chunk, not the object: the sender may resend good data.
      this.nack(id, check.code, check.detail);
      return;
    }
    let already = true;
    for (let i = first; i < first + check.count; i++) already &&= rx.have.has(i);
    if (!already) {
      await this.#sink.putBlocks(hex, first, check.count, data, this.#conn.remote);
      rx.have.setRange(first, check.count);
    }
    this.#ack({ t: 'ack', id, first, count: check.count });
    if (rx.have.full) await this.#finish(id, hex);
  }

  async #finish(id: Uint8Array, hex: string): Promise<void> {
    this.#objects.delete(hex);
    const outcome = await this.#sink.finish(hex, this.#conn.remote);
    this.#send({ t: 'stored', id, outcome });
  }
}
