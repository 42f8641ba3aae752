import { toHex } from '../../../../crypto/bytes.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import type { Frame } from '../../../../runtime/link/frames.ts';
import {
  MAX_CHUNK_BYTES,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  decodeFrame,
  encodeFrame,
} from '../../../../runtime/link/frames.ts';
import {
  LINK_PATH,
  LINK_PROTOCOL,
  TOKEN_PROTOCOL,
} from '../../../../runtime/link/carriers/hub-socket/hub-wire.ts';
import type { IncomingHandlers } from './incoming.ts';
import { Incoming, ObjectRefusal } from './incoming.ts';
import { MemoryPartials } from './memory-partials.ts';
import type { Partials } from './partial-store.ts';
import { PartialStore } from './partial-store.ts';

export { ObjectRefusal } from './incoming.ts';

/** What the socket hands up. */
export interface LinkSocketHandlers extends IncomingHandlers {
  /** The socket closed (the hub, the network or our heartbeat). */
  onClose(reason: string): void;
}

/** Heartbeat timing (the hub's defaults), and where partial objects are kept. */
export interface LinkSocketOptions {
  readonly pingMs?: number;
  readonly timeoutMs?: number;
  /** The partial objects' store (default: the page's, see {@link pagePartials}). */
  readonly partials?: Partials;
}

let store: Promise<PartialStore> | undefined;
let memory: MemoryPartials | undefined;

/**
 * The page's partial-object store: the IndexedDB one, opened on first use and again if it was
 * lost (another tab's upgrade); if it cannot be opened, partials in memory for this session, so
 * the console still reaches the hub (it resumes within the page's life only, as it once did).
 */
async function pagePartials(): Promise<Partials> {
  const current = await store?.catch(() => undefined);
  if (!current || current.lost) store = PartialStore.open();
  try {
    return await store!;
  } catch {
    store = undefined;
    memory ??= new MemoryPartials();
    return memory;
  }
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

/**
 * The link protocol spoken by the browser over the hub's WebSocket, with the same frames as the
 * kit's sessions (runtime/link/frames.ts, shared): HELLO, heartbeats both ways, whole ITEMs and
 * OFFER/HAVE/CHUNK/ACK transfers in ({@link Incoming}: resumed after a cut or a reload from the
 * blocks kept in IndexedDB), ITEMs out. Every frame is size-checked and schema-checked by the
 * shared decoder; every chunk is checked against its manifest's SHA-256 and the whole object
 * against its id before it is handed up; STORED goes back only after the handler made it durable.
 * Large outgoing objects (voice, photos) need OFFER/CHUNK sending, not done yet: {@link send}
 * takes objects up to one chunk.
 */
export class LinkSocket {
  readonly #ws: WebSocket;
  readonly #handlers: LinkSocketHandlers;
  readonly #incoming: Incoming;
  readonly #waiting = new Map<
    string,
    { resolve: (o: 'stored' | 'duplicate') => void; reject: (e: Error) => void }
  >();
  #chain: Promise<void> = Promise.resolve();
  #lastHeard = Date.now();
  #seq = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #closed = false;

  private constructor(
    ws: WebSocket,
    handlers: LinkSocketHandlers,
    partials: Partials,
    options: LinkSocketOptions,
  ) {
    this.#ws = ws;
    this.#handlers = handlers;
    this.#incoming = new Incoming((frame) => this.#send(frame), partials, handlers);
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
  static async open(
    origin: string,
    token: string,
    handlers: LinkSocketHandlers,
    options: LinkSocketOptions = {},
  ): Promise<LinkSocket> {
    const url = `${origin.replace(/^http/, 'ws')}${LINK_PATH}`;
    const partials = options.partials ?? (await pagePartials());
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, [LINK_PROTOCOL, `${TOKEN_PROTOCOL}${token}`]);
      ws.onopen = () => resolve(new LinkSocket(ws, handlers, partials, options));
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
        // Frames that arrived before a close are still checked and kept: after a cut the next
        // session's HAVE names their blocks, so a cut costs only what was still on the wire.
        this.#chain = this.#chain.then(() => this.#incoming.receive(f)).catch(() => undefined);
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
}
