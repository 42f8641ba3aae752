import type { WebSocket } from 'ws';
import type { CarrierConnection, CloseInfo, RemotePeer } from '../../carrier.ts';
import { ConnectionEvents } from '../../carrier.ts';
import { MAX_FRAME_BYTES } from '../../frames.ts';

/**
 * The socket under a WebSocket, as far as batching writes and watching arrivals need it
 * (net.Socket, tls.TLSSocket).
 */
export interface CorkableSocket {
  cork(): void;
  uncork(): void;
  on?(event: 'data', listener: (chunk: Buffer) => void): unknown;
}

/** Close code our side sends for a normal end (the peer sees 'remote'). */
const NORMAL = 1000;

/**
 * A `ws` WebSocket (either end: the kit's client or the hub's server side) as a carrier
 * connection. One binary WebSocket message is one link frame. The socket's own state is only
 * advisory: heartbeats above decide when it is lost, and close() tears the socket down at once
 * (terminate after a short grace), so a dead TCP connection never holds a handle.
 */
export class WsConnection implements CarrierConnection {
  readonly carrier = 'hub-socket';
  readonly maxFrameBytes = MAX_FRAME_BYTES;
  readonly #ws: WebSocket;
  readonly #events = new ConnectionEvents();
  #terminateTimer: NodeJS.Timeout | undefined;
  readonly #socket: CorkableSocket | undefined;
  #corked = false;
  #lastBytesAt = Date.now();

  constructor(
    ws: WebSocket,
    readonly remote: RemotePeer,
    socket?: CorkableSocket,
  ) {
    this.#ws = ws;
    this.#socket = socket;
    ws.binaryType = 'nodebuffer';
    // ws hands a message up only once its last byte arrived; the socket's reads say bytes of it
    // are arriving meanwhile (a second listener beside ws's own: it changes nothing in the flow).
    socket?.on?.('data', () => {
      this.#lastBytesAt = Date.now();
    });
    ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        this.close('text message on a binary link');
        return;
      }
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.#events.frame(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    });
    ws.on('close', (code, reason) => {
      this.#finish({
        by: code === 1006 ? 'lost' : 'remote',
        reason: reason.toString() || `closed (${code})`,
      });
    });
    ws.on('error', (error) => {
      this.#finish({ by: 'lost', reason: error.message });
      ws.terminate();
    });
  }

  get closed(): boolean {
    return this.#events.closeInfo !== undefined;
  }

  send(frame: Uint8Array): boolean {
    if (this.closed || frame.byteLength > this.maxFrameBytes || this.#ws.readyState !== this.#ws.OPEN)
      return false;
    this.#batch();
    this.#ws.send(frame, { binary: true });
    return true;
  }

  /** The last read from the socket (TLS records, so pieces of a frame count). */
  lastProgressAt(): number {
    return this.#lastBytesAt;
  }

  bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  onFrame(listener: (frame: Uint8Array) => void): () => void {
    return this.#events.onFrame(listener);
  }

  onClose(listener: (info: CloseInfo) => void): () => void {
    return this.#events.onClose(listener);
  }

  close(reason = 'closed'): void {
    if (this.closed) return;
    this.#finish({ by: 'local', reason });
    try {
      this.#ws.close(NORMAL, reason.slice(0, 120));
    } catch {
      this.#ws.terminate();
    }
    // A peer that does not answer the close handshake (the path is gone) is cut off.
    this.#terminateTimer = setTimeout(() => this.#ws.terminate(), 1000);
    this.#terminateTimer.unref();
    this.#ws.once('close', () => clearTimeout(this.#terminateTimer));
  }

  /** Destroys the socket without a close handshake (tests simulate a dead path with it). */
  kill(): void {
    this.#ws.terminate();
  }

  /** Corks the socket until the next tick (once per tick): this tick's frames go in one write. */
  #batch(): void {
    const socket = this.#socket;
    if (!socket || this.#corked) return;
    this.#corked = true;
    socket.cork();
    process.nextTick(() => {
      this.#corked = false;
      socket.uncork();
    });
  }

  #finish(info: CloseInfo): void {
    this.#events.close(info);
  }
}
