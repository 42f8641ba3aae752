import type { LinkPriority } from '../../crypto/signed-item.ts';
import type { RemotePeer } from './carrier.ts';
import type { Bitset } from './bitset.ts';
import type { RejectCode } from './reject.ts';

/**
 * The two sides a link session connects, whatever the carrier: a queue of objects to send
 * (the kit's outbox, the hub's mailbox for one device) and a sink for objects received (the
 * hub's mailbox, the kit's inbox). Objects are opaque bytes named by their SHA-256.
 */

/** One object waiting to cross. */
export interface OutgoingObject {
  /** SHA-256 of the bytes, hex. */
  readonly id: string;
  readonly size: number;
  readonly priority: LinkPriority;
  /** Tie-break within a priority: older first (ms or any increasing number). */
  readonly order: number;
  /** The manifest: SHA-256 of each 4 KiB block. */
  hashes(): Promise<Uint8Array>;
  /** Bytes of `count` blocks from `first` (the last block may be short). */
  read(first: number, count: number): Promise<Uint8Array>;
}

/** Where a session's sender takes its objects from, and reports back to. */
export interface OutgoingQueue {
  /** Objects waiting for this peer, best first (priority, then order). */
  list(limit: number): Promise<OutgoingObject[]>;
  /** Calls `listener` when objects are added (the sender wakes up). */
  onChange(listener: () => void): () => void;
  /** Blocks the peer has acknowledged (durably held there), for progress and delivery states. */
  progress(id: string, ackedBytes: number, size: number): void;
  /** The peer committed the whole object. */
  stored(id: string, outcome: 'stored' | 'duplicate', by: RemotePeer): Promise<void>;
  /** The peer refused the object for good (a typed reason). */
  rejected(id: string, code: RejectCode, detail: string, by: RemotePeer): Promise<void>;
}

/** Where a session's receiver puts what arrives. Every method may throw a LinkRejectError. */
export interface IncomingSink {
  /** An OFFER: what is already held (resume), or that the whole object is (a duplicate). */
  begin(
    id: string,
    size: number,
    hashes: Uint8Array,
    from: RemotePeer,
  ): Promise<{ complete: boolean; have?: Bitset }>;
  /** Verified blocks; resolves once durable (the ACK follows). */
  putBlocks(id: string, first: number, count: number, data: Uint8Array, from: RemotePeer): Promise<void>;
  /** All blocks are held: check the whole, commit it. */
  finish(id: string, from: RemotePeer): Promise<'stored' | 'duplicate'>;
  /** A small object in one frame (its SHA-256 already checked against `id`). */
  putWhole(id: string, bytes: Uint8Array, from: RemotePeer): Promise<'stored' | 'duplicate'>;
}
