import { fromHex, toHex } from '../../crypto/bytes.ts';
import { Bitset } from './bitset.ts';
import type { CarrierConnection } from './carrier.ts';
import type { Frame } from './frames.ts';
import { BLOCK_BYTES, blockCount, encodeFrame } from './frames.ts';
import { rangeLength } from './manifest.ts';
import type { LinkPacer } from './rate.ts';
import type { SentLedger } from './sent-ledger.ts';
import type { OutgoingObject, OutgoingQueue } from './transfer.ts';

/** Offers outstanding at once (their HAVE answers overlap with chunks of earlier objects). */
const MAX_OFFERS = 8;
/**
 * An object is offered once at most this many chunks (or twice the path, if more) are still to
 * send ahead of it: early enough that its HAVE is back before the line runs dry, late enough that
 * a cut does not make the next session offer again a row of manifests sent far ahead.
 */
const OFFER_AHEAD_CHUNKS = 2;
/** Objects the sender keeps in view. */
const LIST_LIMIT = 64;
/** A refusal for lack of disk at the receiver is retried after this long. */
const STORAGE_RETRY_MS = 5000;
/**
 * Probe PINGs carry sequence numbers from here up (the heartbeats count from 1): the PONG to a
 * probe sent right behind a frame says the frame has arrived.
 */
export const PROBE_SEQ_BASE = 0x8000_0000;
/**
 * Framing per CHUNK or ITEM frame, its probe included (CBOR header 14, id 34, probe 16): the
 * path's budget is in data bytes, plus this for each frame it takes.
 */
export const FRAME_OVERHEAD = 64;
/** Room kept for a frame's own bytes when a peer's largest frame is turned into a chunk size. */
const FRAME_SLACK = 128;
/** Largest item sent at once even when the path is full: an urgent message, not a photo. */
const SMALL_URGENT_BYTES = BLOCK_BYTES;

interface InFlight {
  readonly count: number;
  readonly bytes: number;
  /** The stream offset at the end of its frame: its ACK also says everything before it arrived. */
  readonly end: number;
}

interface Tx {
  readonly obj: OutgoingObject;
  phase: 'new' | 'offered' | 'ready' | 'whole';
  hashes?: Uint8Array;
  acked?: Bitset;
  sent?: Bitset;
  readonly inflight: Map<number, InFlight>;
  retryAt?: number;
}

type Action =
  | { kind: 'item'; tx: Tx }
  | { kind: 'offer'; tx: Tx }
  | { kind: 'chunk'; tx: Tx; first: number; count: number };

/**
 * The sending half of a session: strict clinical priority, pre-emption at chunk boundaries (a
 * chunk crosses as two frames, so in fact at half-chunk ones), chunks sized by the measured rate,
 * no more than a chunk in the path (what a cut loses), and our own acknowledgement window (never
 * the carrier's buffer). Small objects go whole in one ITEM frame; large ones are OFFERed with
 * their manifest, and the receiver's HAVE says where to resume, so after a cut nothing it
 * received is sent again. An object is done only when the receiver says STORED.
 */
export class Sender {
  readonly #conn: CarrierConnection;
  readonly #queue: OutgoingQueue;
  readonly #pacer: LinkPacer;
  readonly #known = new Map<string, Tx>();
  readonly #finished = new Set<string>();
  #inflightBytes = 0;
  /** Frame bytes sent on this connection, and how many of them are known to have arrived. */
  #streamSent = 0;
  #streamConfirmed = 0;
  readonly #probes = new Map<number, number>();
  #probeSeq = 0;
  #offers = 0;
  /** Largest chunk (and whole item) the peer's HELLO allows, in whole blocks. */
  #peerChunkBytes = Number.POSITIVE_INFINITY;
  #dirty = true;
  #pumping = false;
  #again = false;
  #windowLimited = false;
  #stopped = false;
  readonly #offChange: () => void;
  readonly #timers = new Set<NodeJS.Timeout>();
  /** Bytes of chunk and item frames sent (resends included): what the link carried for us. */
  bytesSent = 0;

  readonly #ledger: SentLedger | undefined;

  constructor(conn: CarrierConnection, queue: OutgoingQueue, pacer: LinkPacer, ledger?: SentLedger) {
    this.#conn = conn;
    this.#queue = queue;
    this.#pacer = pacer;
    this.#ledger = ledger;
    this.#offChange = queue.onChange(() => {
      this.#dirty = true;
      this.pump();
    });
  }

  /** Bytes sent and not yet acknowledged. */
  get inflightBytes(): number {
    return this.#inflightBytes;
  }

  /** Frame bytes sent and not yet known to have arrived (in the path). */
  get pathBytes(): number {
    return this.#streamSent - this.#streamConfirmed;
  }

  /**
   * The peer's HELLO said how large a frame it wants: chunks and whole items are kept within it
   * (at least one block). A receiver that sees whole frames only (a browser's WebSocket) asks for
   * frames that cross its heartbeat timeout at the slowest rate it must work at.
   */
  limitFrames(maxFrameBytes: number): void {
    const blocks = Math.floor((maxFrameBytes - FRAME_SLACK) / BLOCK_BYTES);
    this.#peerChunkBytes = Math.max(1, blocks) * BLOCK_BYTES;
  }

  /** Stops for good (the connection closed): forgets everything in flight. */
  stop(): void {
    this.#stopped = true;
    this.#offChange();
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#known.clear();
  }

  /** Runs the send loop until the window is full or nothing is left; safe to call any time. */
  pump(): void {
    if (this.#stopped) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#loop()
      .catch(() => this.#conn.close('sender failed'))
      .finally(() => {
        this.#pumping = false;
        if (this.#again && !this.#stopped) {
          this.#again = false;
          this.pump();
        }
      });
  }

  async #loop(): Promise<void> {
    for (;;) {
      this.#again = false;
      if (this.#stopped || this.#conn.closed) return;
      if (this.#dirty) await this.#refresh();
      const action = this.#choose();
      if (action === 'full') {
        this.#windowLimited = true;
        return;
      }
      if (!action) {
        this.#windowLimited = false;
        return;
      }
      await this.#execute(action);
    }
  }

  async #refresh(): Promise<void> {
    this.#dirty = false;
    const listed = await this.#queue.list(LIST_LIMIT);
    // An object not started yet that the queue no longer lists went elsewhere (another carrier
    // took its recipient, or it fell out of view): forget it. Started ones finish here.
    const ids = new Set(listed.map((o) => o.id));
    for (const [id, tx] of this.#known) if (tx.phase === 'new' && !ids.has(id)) this.#known.delete(id);
    for (const obj of listed) {
      if (this.#finished.has(obj.id) || this.#known.has(obj.id)) continue;
      this.#known.set(obj.id, { obj, phase: 'new', inflight: new Map() });
    }
  }

  #ordered(): Tx[] {
    return [...this.#known.values()].sort(
      (a, b) => a.obj.priority - b.obj.priority || a.obj.order - b.obj.order,
    );
  }

  /**
   * Room in the path, in frame bytes: the pacer's budget of data plus the framing of the frames
   * that carry it, less what is in the path now.
   */
  /** Blocks per chunk frame: the pacer's, within the peer's HELLO limit ({@link limitFrames}). */
  #frameBlocks(): number {
    return Math.min(this.#pacer.frameBlocks, this.#peerChunkBytes / BLOCK_BYTES);
  }

  #pathRoom(): number {
    const budget = this.#pacer.pathBytes;
    const frames = Math.ceil(budget / (this.#frameBlocks() * BLOCK_BYTES));
    return budget + frames * FRAME_OVERHEAD - this.pathBytes;
  }

  /**
   * The next thing to send, best first; 'full' when the best is held back by the path or the
   * window. A chunk goes in frames of {@link LinkPacer.frameBlocks} blocks, each sent only when
   * it fits in the path's room (a shorter one when less fits), so the line stays busy while no
   * more is ever in the path than the pacer allows: what a cut strands. An ITEM goes only when it
   * fits too (or the path is empty), except a small urgent one. While the path holds the best
   * object back, an OFFER of a later one may still go, once little is left ahead of it.
   */
  #choose(): Action | 'full' | undefined {
    const now = Date.now();
    const chunkBytes = Math.min(this.#pacer.chunkBytes, this.#peerChunkBytes);
    const pathRoom = this.#pathRoom();
    const empty = this.pathBytes === 0;
    const windowOpen = this.#inflightBytes < this.#pacer.window;
    const open = windowOpen && (pathRoom >= FRAME_OVERHEAD + BLOCK_BYTES || empty);
    const offerAhead = Math.max(OFFER_AHEAD_CHUNKS * chunkBytes, 2 * this.#pacer.pathBytes);
    // Bytes still to send before the object at hand; whether a better one is held by the path.
    let ahead = 0;
    let held = false;
    for (const tx of this.#ordered()) {
      if (tx.retryAt !== undefined && now < tx.retryAt) continue;
      if (tx.phase === 'new') {
        if (tx.obj.size <= chunkBytes) {
          if (held) return 'full';
          const urgentAndSmall = tx.obj.priority === 1 && tx.obj.size <= SMALL_URGENT_BYTES;
          const fits = windowOpen && (empty || pathRoom >= tx.obj.size + FRAME_OVERHEAD);
          return fits || urgentAndSmall ? { kind: 'item', tx } : 'full';
        }
        // An OFFER is small (the manifest) and its HAVE answer must come back before the chunks.
        if (this.#offers < MAX_OFFERS && ahead <= offerAhead) return { kind: 'offer', tx };
        ahead += tx.obj.size;
        continue;
      }
      if (tx.phase === 'offered') ahead += tx.obj.size;
      if (tx.phase !== 'ready' || !tx.acked || !tx.sent) continue;
      const first = tx.sent.nextClear(0);
      if (first < 0) continue;
      if (!open) {
        held = true;
        ahead += (tx.sent.size - tx.sent.count) * BLOCK_BYTES;
        continue;
      }
      const frameBlocks = this.#frameBlocks();
      const fitBlocks = Math.floor((pathRoom - FRAME_OVERHEAD) / BLOCK_BYTES);
      const maxBlocks = Math.max(1, empty ? frameBlocks : Math.min(frameBlocks, fitBlocks));
      let count = 1;
      while (count < maxBlocks && first + count < tx.sent.size && !tx.sent.has(first + count)) count++;
      return { kind: 'chunk', tx, first, count };
    }
    return held ? 'full' : undefined;
  }

  async #execute(action: Action): Promise<void> {
    const { tx } = action;
    const id = fromHex(tx.obj.id)!;
    if (action.kind === 'item') {
      tx.phase = 'whole';
      const bytes = await tx.obj.read(0, blockCount(tx.obj.size));
      this.#ledger?.sent(tx.obj.id, tx.obj.size, 0, blockCount(tx.obj.size));
      this.#send({ t: 'item', id, bytes }, tx, 0, {
        count: blockCount(tx.obj.size),
        bytes: bytes.byteLength,
      });
      return;
    }
    if (action.kind === 'offer') {
      tx.phase = 'offered';
      this.#offers++;
      tx.hashes ??= await tx.obj.hashes();
      const frameBytes = this.#send({
        t: 'offer',
        id,
        size: tx.obj.size,
        blockSize: BLOCK_BYTES,
        hashes: tx.hashes,
      });
      this.#ledger?.offered(tx.obj.id, frameBytes);
      return;
    }
    const { first, count } = action;
    tx.sent?.setRange(first, count);
    const data = await tx.obj.read(first, count);
    if (data.byteLength !== rangeLength(tx.obj.size, first, count))
      throw new Error('short read from the queue');
    this.#ledger?.sent(tx.obj.id, tx.obj.size, first, count);
    this.#send({ t: 'chunk', id, first, data }, tx, first, { count, bytes: data.byteLength });
  }

  /** Sends a frame and its probe; returns the frame's size (0 when stopped). */
  #send(frame: Frame, tx?: Tx, first = 0, flight?: Omit<InFlight, 'end'>): number {
    if (this.#stopped) return 0;
    const bytes = encodeFrame(frame);
    this.#streamSent += bytes.byteLength;
    if (tx && flight) {
      tx.inflight.set(first, { ...flight, end: this.#streamSent });
      this.#inflightBytes += flight.bytes;
      this.bytesSent += flight.bytes;
    }
    this.#conn.send(bytes);
    this.#probe();
    return bytes.byteLength;
  }

  /** A PING right behind a frame: its PONG says the frame arrived. */
  #probe(): void {
    const seq = PROBE_SEQ_BASE + (this.#probeSeq++ % PROBE_SEQ_BASE);
    const ping = encodeFrame({ t: 'ping', seq, sentAt: Date.now() });
    this.#streamSent += ping.byteLength;
    this.#probes.set(seq, this.#streamSent);
    this.#conn.send(ping);
  }

  /** PONG: if it answers one of our probes, everything sent before that probe has arrived. */
  onPong(seq: number): void {
    const upTo = this.#probes.get(seq);
    if (upTo === undefined) return;
    for (const [s, end] of this.#probes) if (end <= upTo) this.#probes.delete(s);
    this.#confirm(upTo);
  }

  #confirm(upTo: number): void {
    if (upTo <= this.#streamConfirmed) return;
    const bytes = upTo - this.#streamConfirmed;
    this.#streamConfirmed = upTo;
    this.#pacer.delivered(bytes, this.#windowLimited);
    this.pump();
  }

  #release(tx: Tx, first: number): number {
    const f = tx.inflight.get(first);
    if (!f) return 0;
    tx.inflight.delete(first);
    this.#inflightBytes -= f.bytes;
    return f.bytes;
  }

  /** HAVE: what the receiver holds; sending resumes at the first block it lacks. */
  onHave(idBytes: Uint8Array, complete: boolean, ranges: readonly (readonly [number, number])[]): void {
    const tx = this.#known.get(toHex(idBytes));
    if (!tx || tx.phase !== 'offered') return;
    this.#offers--;
    if (complete) {
      void this.#done(tx, 'duplicate');
      return;
    }
    const blocks = blockCount(tx.obj.size);
    tx.acked = Bitset.fromRanges(blocks, ranges);
    tx.sent = Bitset.fromRanges(blocks, ranges);
    tx.phase = 'ready';
    this.#queue.progress(tx.obj.id, this.#ackedBytes(tx), tx.obj.size);
    this.pump();
  }

  /** ACK: blocks durably held by the receiver. */
  onAck(idBytes: Uint8Array, first: number, count: number): void {
    const tx = this.#known.get(toHex(idBytes));
    if (!tx?.acked) return;
    const end = tx.inflight.get(first)?.end;
    this.#release(tx, first);
    tx.acked.setRange(first, count);
    if (end !== undefined) this.#confirm(end);
    this.#queue.progress(tx.obj.id, this.#ackedBytes(tx), tx.obj.size);
    this.pump();
  }

  /** STORED: the receiver committed the whole object. */
  onStored(idBytes: Uint8Array, outcome: 'stored' | 'duplicate'): void {
    const tx = this.#known.get(toHex(idBytes));
    if (!tx) return;
    if (tx.phase === 'offered') this.#offers--;
    void this.#done(tx, outcome);
  }

  /** NACK: a typed refusal of one object (or of a frame, when `id` is null). */
  onNack(idBytes: Uint8Array | null, code: string, detail: string): void {
    if (!idBytes) return;
    const tx = this.#known.get(toHex(idBytes));
    if (!tx) return;
    if (tx.phase === 'offered') this.#offers--;
    for (const first of [...tx.inflight.keys()]) this.#release(tx, first);
    if (code === 'storage_failed' || code === 'unknown_item') {
      // Not the object's fault: offer it again later on this session.
      tx.phase = 'new';
      delete tx.acked;
      delete tx.sent;
      tx.retryAt = Date.now() + (code === 'storage_failed' ? STORAGE_RETRY_MS : 0);
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.pump();
      }, STORAGE_RETRY_MS);
      this.#timers.add(timer);
      this.pump();
      return;
    }
    this.#known.delete(tx.obj.id);
    this.#finished.add(tx.obj.id);
    this.#ledger?.forget(tx.obj.id);
    void this.#queue
      .rejected(tx.obj.id, code as Parameters<OutgoingQueue['rejected']>[1], detail, this.#conn.remote)
      .finally(() => this.pump());
  }

  async #done(tx: Tx, outcome: 'stored' | 'duplicate'): Promise<void> {
    for (const first of [...tx.inflight.keys()]) {
      const end = tx.inflight.get(first)?.end;
      this.#release(tx, first);
      if (end !== undefined) this.#confirm(end);
    }
    this.#known.delete(tx.obj.id);
    this.#finished.add(tx.obj.id);
    this.#ledger?.forget(tx.obj.id);
    this.#queue.progress(tx.obj.id, tx.obj.size, tx.obj.size);
    await this.#queue.stored(tx.obj.id, outcome, this.#conn.remote);
    this.#dirty = true;
    this.pump();
  }

  #ackedBytes(tx: Tx): number {
    if (!tx.acked) return 0;
    let bytes = 0;
    for (const [first, count] of tx.acked.ranges()) bytes += rangeLength(tx.obj.size, first, count);
    return bytes;
  }
}
