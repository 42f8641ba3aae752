import type { WireDelivery } from './delivery.ts';

/**
 * What the kit's HTTP API and live channel say about the link (the PWA imports these types only).
 */
export type { WireDelivery };

/** A received item as a tablet shows it: who, what, and whether it verified (and why not). */
export interface WireInboxItem {
  readonly envelopeId: string;
  readonly itemId: string;
  readonly kind: string;
  readonly from: string;
  readonly sentAt: string;
  readonly receivedAt: string;
  /** The item it answers (the consultation's item id), if any. */
  readonly ref: string | null;
  readonly verified: boolean;
  readonly reasons: readonly string[];
  /** The text of a message or conclusion. */
  readonly text: string | null;
  readonly diagnosis: string | null;
  readonly media: string | null;
  readonly bytes: number;
}

/**
 * One direct (WebRTC) path to a specialist's console: items for that specialist go this way while
 * it is up, through the hub otherwise, so the tablet shows it beside the hub's state.
 */
export interface WireDirectPath {
  /** The specialist's identity id. */
  readonly peer: string;
  /** Their name in the pinned directory, if listed. */
  readonly name: string | null;
  readonly state: 'connecting' | 'up' | 'down' | 'stopped';
  /** Up since (ISO time), when up. */
  readonly since: string | null;
  /** Why it is down, when down. */
  readonly reason: string | null;
}

/** The link's state for a status line. */
export interface WireLinkStatus {
  readonly hub: 'off' | 'connecting' | 'up' | 'down' | 'refused' | 'stopped';
  readonly reason: string | null;
  readonly since: string | null;
  readonly directorySerial: number | null;
  readonly directoryRefusals: number;
  readonly identity: string | null;
  /** Items not yet at the hub (stored, queued or sending). */
  readonly pending: number;
  /** Refusals of bad input from the wire, by code. */
  readonly refused: Readonly<Record<string, number>>;
  /** Direct paths to specialists' consoles opened so far (empty when none, or direct is off). */
  readonly direct: readonly WireDirectPath[];
}
