import { fromHex, toHex } from '../../../../crypto/bytes.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import type { Frame } from '../../../../runtime/link/frames.ts';
import {
  BLOCK_BYTES,
  HASH_BYTES,
  MAX_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  blockCount,
  decodeFrame,
  encodeFrame,
} from '../../../../runtime/link/frames.ts';
import type { RejectCode } from '../../../../runtime/link/reject.ts';
import {
  LINK_PATH,
  LINK_PROTOCOL,
  TOKEN_PROTOCOL,
} from '../../../../runtime/link/carriers/hub-socket/hub-wire.ts';

/** A refusal of a received object, sent back to the hub as a NACK with this code. */
export class ObjectRefusal extends Error {
  constructor(
    readonly code: RejectCode,
    detail: string,
  ) {
    super(detail);
    this.name = 'ObjectRefusal';
  }
}

/** What the socket hands up. */
export interface LinkSocketHandlers {
  /**
   * A whole object arrived (its SHA-256 already checked against its id). Resolve once it is
   * durably kept: only then is STORED sent and the hub may forget it. Throw an
   * {@link ObjectRefusal} to refuse it.
   */
  onObject(id: string, bytes: Uint8Array): Promise<'stored' | 'duplicate'>;
  /** The socket closed (the hub, the network or our heartbeat). */
  onClose(reason: string): void;
}

/** Heartbeat timing (the hub's defaults). */
export interface LinkSocketOptions {
  readonly pingMs?: number;
  readonly timeoutMs?: number;
}

/** The heartbeat timeout (the hub's default): silence this long closes the socket. */
const TIMEOUT_MS = 6000;
/** The slowest link the console must work on: the network's planning minimum, 256 kbit/s. */
const FLOOR_BYTES_PER_S = 32_000;
/**
 * The largest frame the console asks the hub for in its HELLO. A browser's WebSocket hands up a
 * message only once its last byte arrived, so the console cannot tell a large frame crawling in
 * from a dead hub: a 256 KiB chunk takes 8 s at the floor, more than the timeout. Frames that
 * cross in a third of the timeout at the floor (64,000 bytes, 15 blocks of data) leave room
 * for one queued behind. A manifest (OFFER) is one frame whatever its size: at most 129 KiB for
 * the largest object, 4.1 s at the floor.
 */
export const CONSOLE_FRAME_BYTES = Math.floor((FLOOR_BYTES_PER_S * TIMEOUT_MS) / 3000);

interface Rx {
  readonly size: number;
  readonly hashes: Uint8Array;
  readonly bytes: Uint8Array;
  readonly have: Uint8Array;
  held: number;
}

/**
 * The link protocol spoken by the browser over the hub's WebSocket, with the same frames as the
 * kit's sessions (runtime/link/frames.ts, shared): HELLO, heartbeats both ways, whole ITEMs and
 * OFFER/HAVE/CHUNK/ACK transfers in, ITEMs out. Every frame is size-checked and schema-checked by
 * the shared decoder; every chunk is checked against its manifest's SHA-256 and the whole object
 * against its id before it is handed up; STORED goes back only after the handler made it durable.
 * Large outgoing objects (voice, photos) need OFFER/CHUNK sending, not done yet: {@link send}
 * takes objects up to one chunk.
 */
export class LinkSocket {
  readonly #ws: WebSocket;
  readonly #handlers: LinkSocketHandlers;
  readonly #rx = new Map<string, Rx>();
  readonly #waiting = new Map<
    string,
    { resolve: (o: 'stored' | 'duplicate') => void; reject: (e: Error) => void }
  >();
  #chain: Promise<void> = Promise.resolve();
  #lastHeard = Date.now();
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(ws: WebSocket, handlers: LinkSocketHandlers, options: LinkSocketOptions) {
    this.#ws = ws;
    this.#handlers = handlers;
    ws.binaryType = 'arraybuffer';
    ws.onmessage = (event: MessageEvent) => {
      if (!(event.data instanceof ArrayBuffer)) return this.close('a text frame on the link');
      this.#lastHeard = Date.now();
      this.#onFrame(new Uint8Array(event.data));
    };
    ws.onclose = (event: CloseEvent) => this.#ended(event.reason || `closed (${event.code})`);
    const timeout = options.timeoutMs ?? TIMEOUT_MS;
    this.#timer = setInterval(
      () => {
        if (Date.now() - this.#lastHeard > timeout) return this.close(`no frame for ${timeout} ms`);
        this.#seq = (this.#seq + 1) >>> 0;
        this.#send({ t: 'ping', seq: this.#seq, sentAt: Date.now() });
      },
      Math.min(options.pingMs ?? 2000, timeout / 3),
    );
    this.#send({ t: 'hello', version: PROTOCOL_VERSION, maxFrameBytes: CONSOLE_FRAME_BYTES });
  }

  /** Opens the link WebSocket on the hub (same origin) with a bearer token. */
  static open(
    origin: string,
    token: string,
    handlers: LinkSocketHandlers,
    options: LinkSocketOptions = {},
  ): Promise<LinkSocket> {
    const url = `${origin.replace(/^http/, 'ws')}${LINK_PATH}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [LINK_PROTOCOL, `${TOKEN_PROTOCOL}${token}`]);
      ws.onopen = () => resolve(new LinkSocket(ws, handlers, options));
      ws.onerror = () => reject(new Error('the hub refused or dropped the link socket'));
    });
  }

  /** Sends one small object whole (ITEM) and resolves when the hub says STORED. */
  async send(bytes: Uint8Array): Promise<'stored' | 'duplicate'> {
    if (bytes.byteLength > MAX_CHUNK_BYTES)
      throw new Error(`objects over ${MAX_CHUNK_BYTES} bytes need chunked sending (not in the console yet)`);
    if (this.#closed) throw new Error('the link is closed');
    const s = await getSodium();
    const id = s.crypto_hash_sha256(bytes);
    const hex = toHex(id);
    const outcome = new Promise<'stored' | 'duplicate'>((resolve, reject) =>
      this.#waiting.set(hex, { resolve, reject }),
    );
    this.#send({ t: 'item', id, bytes });
    return outcome;
  }

  /** Closes the socket (idempotent). */
  close(reason: string): void {
    if (this.#closed) return;
    try {
      this.#ws.close(1000, reason.slice(0, 100));
    } catch {
      // already closing
    }
    this.#ended(reason);
  }

  #ended(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#rx.clear();
    for (const w of this.#waiting.values()) w.reject(new Error(`link closed: ${reason}`));
    this.#waiting.clear();
    this.#handlers.onClose(reason);
  }

  #send(frame: Frame): void {
    if (this.#closed || this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(encodeFrame(frame));
  }

  #onFrame(bytes: Uint8Array): void {
    const decoded = decodeFrame(bytes, MAX_FRAME_BYTES);
    if (!decoded.ok) {
      this.#send({ t: 'nack', id: null, code: decoded.code, detail: decoded.detail });
      return;
    }
    const f = decoded.frame;
    switch (f.t) {
      case 'hello':
        if (f.version !== PROTOCOL_VERSION) this.close(`protocol version ${f.version}`);
        return;
      case 'ping':
        this.#send({ t: 'pong', seq: f.seq, sentAt: f.sentAt });
        return;
      case 'pong':
      case 'have':
      case 'ack':
        return;
      case 'stored':
        this.#settle(f.id, (w) => w.resolve(f.outcome));
        return;
      case 'nack':
        if (f.id) this.#settle(f.id, (w) => w.reject(new ObjectRefusal(f.code, f.detail)));
        return;
      case 'item':
      case 'offer':
      case 'chunk':
        this.#chain = this.#chain.then(() => this.#receive(f)).catch(() => undefined);
        return;
    }
  }

  #settle(
    id: Uint8Array,
    fn: (w: { resolve: (o: 'stored' | 'duplicate') => void; reject: (e: Error) => void }) => void,
  ): void {
    const hex = toHex(id);
    const w = this.#waiting.get(hex);
    if (!w) return;
    this.#waiting.delete(hex);
    fn(w);
  }

  async #receive(f: Frame & { t: 'item' | 'offer' | 'chunk' }): Promise<void> {
    if (this.#closed) return;
    const s = await getSodium();
    const hex = toHex(f.id);
    try {
      if (f.t === 'item') {
        if (toHex(s.crypto_hash_sha256(f.bytes)) !== hex)
          throw new ObjectRefusal('id_mismatch', 'the item bytes do not hash to its id');
        this.#send({ t: 'stored', id: f.id, outcome: await this.#handlers.onObject(hex, f.bytes) });
      } else if (f.t === 'offer') {
        const n = blockCount(f.size);
        this.#rx.set(hex, {
          size: f.size,
          hashes: f.hashes,
          bytes: new Uint8Array(f.size),
          have: new Uint8Array(n),
          held: 0,
        });
        this.#send({ t: 'have', id: f.id, complete: false, ranges: [] });
      } else {
        const rx = this.#rx.get(hex);
        if (!rx) throw new ObjectRefusal('unknown_item', 'no OFFER for this object on this session');
        const total = blockCount(rx.size);
        const count = Math.ceil(f.data.byteLength / BLOCK_BYTES);
        const end = f.first + count;
        const expected = Math.min(rx.size, end * BLOCK_BYTES) - f.first * BLOCK_BYTES;
        if (end > total || f.data.byteLength !== expected) {
          this.#send({ t: 'nack', id: f.id, code: 'oversized_chunk', detail: 'chunk outside the object' });
          return;
        }
        for (let i = 0; i < count; i++) {
          const block = f.data.subarray(i * BLOCK_BYTES, (i + 1) * BLOCK_BYTES);
          const want = rx.hashes.subarray((f.first + i) * HASH_BYTES, (f.first + i + 1) * HASH_BYTES);
          if (toHex(s.crypto_hash_sha256(block)) !== toHex(want)) {
            this.#send({ t: 'nack', id: f.id, code: 'hash_mismatch', detail: `block ${f.first + i}` });
            return;
          }
        }
        rx.bytes.set(f.data, f.first * BLOCK_BYTES);
        for (let i = f.first; i < end; i++)
          if (!rx.have[i]) {
            rx.have[i] = 1;
            rx.held++;
          }
        this.#send({ t: 'ack', id: f.id, first: f.first, count });
        if (rx.held < total) return;
        this.#rx.delete(hex);
        if (toHex(s.crypto_hash_sha256(rx.bytes)) !== hex)
          throw new ObjectRefusal('id_mismatch', 'the blocks do not hash to the id');
        this.#send({ t: 'stored', id: f.id, outcome: await this.#handlers.onObject(hex, rx.bytes) });
      }
    } catch (error) {
      const refusal =
        error instanceof ObjectRefusal
          ? error
          : new ObjectRefusal('storage_failed', 'the console could not keep it; try again later');
      this.#rx.delete(hex);
      this.#send({
        t: 'nack',
        id: fromHex(hex) ?? f.id,
        code: refusal.code,
        detail: refusal.message.slice(0, 190),
      });
    }
  }
}
