import type { LinkPriority } from '../../crypto/signed-item.ts';
import type { Bitset } from '../link/bitset.ts';

/** Where an object goes and what the hub could read of it (it cannot read the content). */
export interface MailboxRoute {
  /** The address in the object's clear header (identity or team). */
  readonly to: string;
  readonly priority: LinkPriority;
  /** 'envelope' (sealed) or 'receipt' (signed). */
  readonly kind: 'envelope' | 'receipt';
  /** The uploading device (Ed25519 key, hex). */
  readonly from: string;
  /** Devices (Ed25519 keys, hex) that must each receive it. */
  readonly recipients: readonly string[];
  /** The consultation (envelope id) a reply names in its clear header, if it does. */
  readonly re?: string;
}

/** One item waiting for a device, in send order. */
export interface MailboxEntry {
  readonly id: string;
  readonly size: number;
  readonly priority: LinkPriority;
  /** Arrival order at the hub (tie-break within a priority). */
  readonly order: number;
}

/** What the mailbox knows of an id. */
export type MailboxObjectState =
  | { readonly state: 'none' }
  | { readonly state: 'partial'; readonly have: Bitset }
  /** Committed and waiting for at least one device. */
  | { readonly state: 'held' }
  /** Delivered to every recipient and its bytes freed; the id is remembered (replays refused). */
  | { readonly state: 'gone' };

/** Counts for a status page. */
export interface MailboxStats {
  readonly held: number;
  readonly partial: number;
  readonly queued: number;
}

/**
 * The hub's store-and-forward storage, behind a small interface so that an existing distributed
 * engine can replace the embedded default (LMDB through the record store) when one machine is
 * not enough. Every method that writes resolves only once the write is durable: a hub
 * acknowledgement means the bytes are on disk. Objects are opaque bytes named by their SHA-256;
 * the mailbox never opens them. The shared acceptance suite is test/mailbox-acceptance.ts.
 */
export interface Mailbox {
  /** Starts or resumes an upload (the manifest is kept); says what is already held. */
  begin(id: string, size: number, hashes: Uint8Array, from: string): Promise<MailboxObjectState>;
  /** Stores verified blocks of a partial upload. */
  putBlocks(id: string, first: number, count: number, data: Uint8Array): Promise<void>;
  /** All bytes of a complete upload or a held object. */
  readAll(id: string): Promise<Uint8Array>;
  /** Turns a complete upload into an item queued for each recipient; 'duplicate' if already held or gone. */
  commit(id: string, route: MailboxRoute): Promise<'stored' | 'duplicate'>;
  /** Stores a small object whole and queues it; 'duplicate' if already held or gone. */
  putWhole(id: string, bytes: Uint8Array, route: MailboxRoute): Promise<'stored' | 'duplicate'>;
  /** Removes a refused upload's blocks. */
  discard(id: string): Promise<void>;
  /** What is known of an id. */
  state(id: string): Promise<MailboxObjectState>;
  /** Items waiting for a device: priority, then arrival. */
  pending(device: string, limit: number): Promise<MailboxEntry[]>;
  /** A held object's manifest (SHA-256 per 4 KiB block). */
  hashes(id: string): Promise<Uint8Array>;
  /** `count` blocks of a held object from `first`. */
  read(id: string, first: number, count: number): Promise<Uint8Array>;
  /**
   * The device committed the item: it leaves that device's queue; when no device waits any
   * more the bytes are freed and the id remembered. Idempotent. Returns the route it had.
   */
  delivered(device: string, id: string): Promise<MailboxRoute | undefined>;
  /** Called after each commit with the devices that have something new. */
  onDeposit(listener: (devices: readonly string[]) => void): () => void;
  stats(): Promise<MailboxStats>;
}
