import type { CarrierConnection, CloseInfo } from './carrier.ts';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION, decodeFrame, encodeFrame } from './frames.ts';
import type { LivenessOptions } from './liveness.ts';
import { watchLiveness } from './liveness.ts';
import type { PacingOptions } from './rate.ts';
import { LinkPacer } from './rate.ts';
import type { ReceiverLog } from './receiver.ts';
import { Receiver } from './receiver.ts';
import type { RejectCounters } from './reject.ts';
import { Sender } from './sender.ts';
import type { SentLedger } from './sent-ledger.ts';
import type { IncomingSink, OutgoingQueue } from './transfer.ts';

/** Refusals tolerated on one connection before it is closed (a broken or hostile peer). */
const MAX_REFUSALS = 200;

/** What a session runs between two peers. */
export interface SessionOptions {
  /** Objects to send to this peer (absent: this end only receives). */
  readonly queue?: OutgoingQueue;
  /** Where received objects go (absent: this end refuses every object). */
  readonly sink?: IncomingSink;
  readonly counters: RejectCounters;
  readonly liveness?: LivenessOptions;
  /** Shared across sessions to the same peer, so a reconnect starts from the last measured rate. */
  readonly pacer?: LinkPacer;
  readonly pacing?: PacingOptions;
  /** Shared across sessions: counts blocks sent again after a cut. */
  readonly ledger?: SentLedger;
  readonly log?: ReceiverLog;
}

/**
 * One link session over one carrier connection: HELLO, our heartbeats, a sender fed by the
 * queue and a receiver feeding the sink. The same over the hub socket and over WebRTC. It ends
 * when the connection closes (the peer, the carrier, or our heartbeat timeout); whatever was in
 * flight resumes on the next session from the receiver's HAVE.
 */
export class LinkSession {
  readonly conn: CarrierConnection;
  readonly pacer: LinkPacer;
  readonly sender: Sender | undefined;
  readonly receiver: Receiver | undefined;
  readonly closed: Promise<CloseInfo>;
  readonly #counters: RejectCounters;
  #refusals = 0;
  #stopLiveness: () => void;

  constructor(conn: CarrierConnection, options: SessionOptions) {
    this.conn = conn;
    this.#counters = options.counters;
    this.pacer = options.pacer ?? new LinkPacer(options.pacing);
    this.pacer.reset();
    this.sender = options.queue ? new Sender(conn, options.queue, this.pacer, options.ledger) : undefined;
    this.receiver = options.sink
      ? new Receiver(conn, options.sink, options.counters, options.log)
      : undefined;
    this.closed = new Promise((resolve) => conn.onClose(resolve));
    void this.closed.then(() => {
      this.#stopLiveness();
      this.sender?.stop();
      this.receiver?.stop();
    });
    conn.onFrame((bytes) => this.#onFrame(bytes));
    conn.send(encodeFrame({ t: 'hello', version: PROTOCOL_VERSION, maxFrameBytes: MAX_FRAME_BYTES }));
    this.#stopLiveness = watchLiveness(conn, {
      ...options.liveness,
      onRtt: (ms) => {
        this.pacer.rtt(ms);
        options.liveness?.onRtt?.(ms);
      },
    });
    this.sender?.pump();
  }

  /** Closes the connection (idempotent). */
  close(reason = 'session closed'): void {
    this.conn.close(reason);
  }

  #refuse(id: Uint8Array | null, code: Parameters<RejectCounters['count']>[0], detail: string): void {
    if (this.receiver) this.receiver.nack(id, code, detail);
    else {
      this.#counters.count(code);
      this.conn.send(encodeFrame({ t: 'nack', id, code, detail }));
    }
    if (++this.#refusals > MAX_REFUSALS) this.conn.close('too many refused frames');
  }

  #onFrame(bytes: Uint8Array): void {
    const decoded = decodeFrame(bytes, this.conn.maxFrameBytes);
    if (!decoded.ok) {
      this.#refuse(null, decoded.code, decoded.detail);
      return;
    }
    const f = decoded.frame;
    switch (f.t) {
      case 'hello':
        if (f.version !== PROTOCOL_VERSION)
          this.conn.close(`protocol version ${f.version} is not ${PROTOCOL_VERSION}`);
        else this.sender?.limitFrames(f.maxFrameBytes);
        return;
      case 'ping':
        return; // answered by the liveness watcher
      case 'pong':
        this.sender?.onPong(f.seq); // the liveness watcher takes its round trip
        return;
      case 'item':
      case 'offer':
      case 'chunk':
        if (this.receiver) this.receiver.handle(f);
        else this.#refuse(f.id, 'not_allowed', 'this peer accepts no objects on this connection');
        return;
      case 'have':
        this.sender?.onHave(f.id, f.complete, f.ranges);
        return;
      case 'ack':
        this.sender?.onAck(f.id, f.first, f.count);
        return;
      case 'stored':
        this.sender?.onStored(f.id, f.outcome);
        return;
      case 'nack':
        this.sender?.onNack(f.id, f.code, f.detail);
        return;
    }
  }
}
