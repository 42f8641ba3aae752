/**
 * A carrier: one way of moving link frames between two authenticated peers. Two implementations
 * share this interface and the acceptance suite in test/carrier-acceptance.ts: the hub socket
 * (the kit's WebSocket to the hub's mailbox) and the direct WebRTC data channel (kit <-> console).
 *
 * The link layer above (sessions, scheduler, chunk acknowledgements, heartbeats) is the same over
 * both and trusts neither: a connection's `closed` flag, its buffer and its state are advisory.
 * Loss is detected by our own heartbeats (`Liveness`), delivery by our own acknowledgements, and
 * pacing by our own window. A carrier only has to move whole frames, in order, while it works,
 * and to report a close when it notices one.
 */

/** Why a connection ended, as far as this end knows. */
export interface CloseInfo {
  /** Who noticed: 'local' (close() was called), 'remote' (the peer closed), 'lost' (transport died). */
  readonly by: 'local' | 'remote' | 'lost';
  readonly reason: string;
}

/** The authenticated identity at the other end of a connection. */
export interface RemotePeer {
  /** The remote device's Ed25519 public key (proven during the carrier's handshake). */
  readonly signingKey: Uint8Array;
  /** Its identity id (directory / hub enrolment), when the carrier learnt it. */
  readonly identity?: string;
}

/** One live, authenticated, ordered, message-oriented pipe for link frames. */
export interface CarrierConnection {
  /** The carrier's name ('hub-socket', 'webrtc', 'memory'). */
  readonly carrier: string;
  readonly remote: RemotePeer;
  /** Largest frame this connection carries; larger frames are refused by send(). */
  readonly maxFrameBytes: number;
  /**
   * Hands one frame to the carrier. Returns false, and sends nothing, when the connection is
   * known closed or the frame is larger than {@link maxFrameBytes}. True promises nothing about
   * delivery: only the peer's acknowledgement does.
   */
  send(frame: Uint8Array): boolean;
  /** Bytes accepted by send() and not yet handed to the network, when known (advisory; 0 if not). */
  bufferedBytes(): number;
  /** Subscribes to frames in arrival order; returns the unsubscribe function. */
  onFrame(listener: (frame: Uint8Array) => void): () => void;
  /** Subscribes to the close, which fires at most once; returns the unsubscribe function. */
  onClose(listener: (info: CloseInfo) => void): () => void;
  /**
   * When bytes last arrived from the peer (ms since the epoch), counting pieces of a frame still
   * arriving. A carrier hands up whole frames only, and one large frame on a slow path takes
   * seconds (256 KiB at 256 kbit/s: about 8 s): heartbeats that only counted whole frames would
   * declare a working path dead mid-frame. Optional: a carrier that cannot see partial arrivals
   * omits it, and its peer must be sent frames small enough to cross within the heartbeat timeout.
   */
  lastProgressAt?(): number;
  /** Closes (idempotent). Releases every handle the connection holds. */
  close(reason?: string): void;
  /** True once this end has seen or caused the close (advisory, see the module comment). */
  readonly closed: boolean;
}

/** Why a connection could not be opened. */
export type CarrierErrorCode =
  'unreachable' | 'unauthorized' | 'tls' | 'protocol' | 'timeout' | 'aborted' | 'closed';

/** A typed failure to connect. */
export class CarrierError extends Error {
  constructor(
    readonly code: CarrierErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CarrierError';
  }
}

/** Opens connections of one kind towards one peer (the hub, or one console). */
export interface Carrier {
  readonly name: string;
  /** Opens one authenticated connection; rejects with a {@link CarrierError}. */
  connect(signal?: AbortSignal): Promise<CarrierConnection>;
}

/**
 * Listener bookkeeping shared by the implementations: frame and close listeners, a close that
 * fires once, and every listener dropped afterwards (so 1,000 reconnects keep nothing alive).
 */
export class ConnectionEvents {
  #frames = new Set<(frame: Uint8Array) => void>();
  #closes = new Set<(info: CloseInfo) => void>();
  #closed: CloseInfo | undefined;

  /** The close, once it happened. */
  get closeInfo(): CloseInfo | undefined {
    return this.#closed;
  }

  onFrame(listener: (frame: Uint8Array) => void): () => void {
    if (this.#closed) return () => undefined;
    this.#frames.add(listener);
    return () => this.#frames.delete(listener);
  }

  onClose(listener: (info: CloseInfo) => void): () => void {
    if (this.#closed) {
      const info = this.#closed;
      queueMicrotask(() => listener(info));
      return () => undefined;
    }
    this.#closes.add(listener);
    return () => this.#closes.delete(listener);
  }

  /** Delivers a frame to every listener (none after the close). */
  frame(bytes: Uint8Array): void {
    if (this.#closed) return;
    for (const l of [...this.#frames]) l(bytes);
  }

  /** Fires the close once and forgets every listener. Returns false if it had already fired. */
  close(info: CloseInfo): boolean {
    if (this.#closed) return false;
    this.#closed = info;
    const listeners = [...this.#closes];
    this.#frames.clear();
    this.#closes.clear();
    for (const l of listeners) l(info);
    return true;
  }
}
