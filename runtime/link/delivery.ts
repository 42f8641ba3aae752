import type { LinkPriority } from '../../crypto/signed-item.ts';
import type { RecordRef } from './items.ts';

/**
 * Where an outgoing item is, as the tablet shows it. States only move forward:
 *
 *   stored    in the kit's outbox (not yet sealed: e.g. no directory yet)
 *   queued    sealed, waiting for a carrier
 *   sending   bytes crossing (acknowledged bytes of the total)
 *   at_hub    committed by the hub's mailbox (the kit no longer holds the bytes)
 *   delivered committed by a recipient device (its signed receipt, or directly)
 *   read      the recipient opened it (signed receipt)
 *   answered  an answer referring to it arrived, or the recipient said so (signed receipt)
 */
export const DELIVERY_STATES = [
  'stored',
  'queued',
  'sending',
  'at_hub',
  'delivered',
  'read',
  'answered',
] as const;
/** See {@link DELIVERY_STATES}. */
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A refusal by the peer (typed reason); the item stays queued and is retried later. */
export interface Refusal {
  readonly code: string;
  readonly detail: string;
  readonly at: string;
  readonly retryAt: string;
}

/** The delivery record of one outgoing item (kept in the kit's store, sent to tablets). */
export interface DeliveryRecord {
  /** The store's outbox id. */
  readonly outboxId: string;
  /** The signed item's id (hex), what answers refer to. */
  readonly itemId: string;
  readonly kind: string;
  readonly to: string;
  readonly priority: LinkPriority;
  readonly createdAt: string;
  readonly state: DeliveryState;
  /** Bytes of the sealed envelope acknowledged by the current receiver. */
  readonly bytesAcked: number;
  /** Size of the sealed envelope (0 until sealed). */
  readonly size: number;
  readonly envelopeId?: string;
  readonly refusal?: Refusal;
  /** A note on why it waits (no directory, recipient not listed). */
  readonly waiting?: string;
  /** Records a consultation carried (their SHA-256), to check conclusions against. */
  readonly records?: readonly RecordRef[];
  readonly history: readonly { readonly state: DeliveryState; readonly at: string }[];
}

/** Rank of a state (higher is further). */
export function rank(state: DeliveryState): number {
  return DELIVERY_STATES.indexOf(state);
}

/** The record moved to `state` (with history), or undefined if that is not a step forward. */
export function advance(
  rec: DeliveryRecord,
  state: DeliveryState,
  at = new Date().toISOString(),
): DeliveryRecord | undefined {
  if (rank(state) <= rank(rec.state)) return undefined;
  const { refusal: _refusal, waiting: _waiting, ...rest } = rec;
  return { ...rest, state, history: [...rec.history, { state, at }] };
}

/**
 * What a tablet receives (GET /api/link/items and the live `link-state` event): plain JSON.
 * The PWA imports this type only.
 */
export interface WireDelivery {
  readonly id: string;
  readonly itemId: string;
  readonly kind: string;
  readonly to: string;
  readonly priority: number;
  readonly state: DeliveryState;
  readonly bytesAcked: number;
  readonly size: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly refusal: { readonly code: string; readonly detail: string; readonly retryAt: string } | null;
  readonly waiting: string | null;
}

/** Maps a record to its wire form. */
export function toWireDelivery(rec: DeliveryRecord): WireDelivery {
  return {
    id: rec.outboxId,
    itemId: rec.itemId,
    kind: rec.kind,
    to: rec.to,
    priority: rec.priority,
    state: rec.state,
    bytesAcked: rec.bytesAcked,
    size: rec.size,
    createdAt: rec.createdAt,
    updatedAt: rec.history[rec.history.length - 1]?.at ?? rec.createdAt,
    refusal: rec.refusal
      ? { code: rec.refusal.code, detail: rec.refusal.detail, retryAt: rec.refusal.retryAt }
      : null,
    waiting: rec.waiting ?? null,
  };
}
