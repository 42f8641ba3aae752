import type { WireVisitView } from '../../../../runtime/http/api/wire-types.ts';
import type { WireObservation } from '../../../../runtime/http/wire.ts';
import type { Migration } from './idb.ts';

/** The tablet's database. */
export const DB_NAME = 'fieldkit-tablet';

/** What the tablet sends to the kit, in order, once each (the kit keys them by `clientId`). */
export type QueueKind = 'entry' | 'attachment' | 'consultation' | 'close';

/** Where an item is on its way to the kit. `sent` items stay as the record of what was sent. */
export type QueueState = 'pending' | 'refused' | 'sent';

/** One item of the tablet's outbox (schema version 1). */
export interface QueueItem {
  readonly clientId: string;
  /** Send order: a counter, so items go out in the order they were made. */
  readonly seq: number;
  readonly kind: QueueKind;
  readonly visitId: string;
  readonly createdAt: string;
  readonly body: unknown;
  /** Photo or voice bytes of an attachment. */
  readonly blob?: Blob;
  readonly mediaType?: string;
  /** The live reading a `keep` entry keeps, as shown when it was tapped (display only). */
  readonly observation?: WireObservation;
  readonly state: QueueState;
  readonly attempts: number;
  /** The kit's refusal (code and message) of a refused item. */
  readonly error?: { readonly code: string; readonly message: string };
  readonly sentAt?: string;
}

/** A visit as last seen from the kit, for opening it with the kit unreachable. */
export interface CachedVisit {
  readonly id: string;
  readonly view: WireVisitView;
  readonly savedAt: string;
}

/** A small setting (locale, token, NEWS2 scale per visit). */
export interface Setting {
  readonly key: string;
  readonly value: unknown;
}

/**
 * The numbered migrations. Each only adds (stores, indexes, fields with defaults); none deletes
 * or clears: the queue holds clinical data typed offline that exists nowhere else. A test holds
 * every step to that.
 */
export const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (db) => {
    db.createObjectStore('queue', { keyPath: 'clientId' }).createIndex('bySeq', 'seq', { unique: true });
    db.createObjectStore('visits', { keyPath: 'id' });
    db.createObjectStore('settings', { keyPath: 'key' });
  },
};
