import type { DroppedFrame, LivePreview } from '../ble-devices/drivers/driver.ts';
import type { ObservationRecord } from '../store/schema/observation.ts';
import type { KitLinkEvent } from './link/kit-link.ts';
import type { InstrumentStatus } from './instruments/instrument-status.ts';
import type { PairingSessionView } from './instruments/pairing.ts';
import type { StorageStatus } from './storage-status.ts';

/** Everything the kit announces live to the tablets (SSE) and to tests. */
export type KitEvent =
  | { readonly type: 'observations'; readonly records: readonly ObservationRecord[] }
  | {
      readonly type: 'preview';
      readonly deviceId: string;
      readonly deviceName: string;
      readonly preview: LivePreview;
      readonly at: Date;
    }
  | { readonly type: 'instrument'; readonly status: InstrumentStatus }
  | { readonly type: 'dropped'; readonly frame: DroppedFrame }
  /** A pairing session changed: a question for the person, or the outcome. */
  | { readonly type: 'pairing'; readonly session: PairingSessionView }
  | {
      readonly type: 'store-error';
      readonly message: string;
      /** The store's error code (`write_failed` for a refused commit), or `internal`. */
      readonly code: string;
      /** Observations (values a tablet would show) lost by this failed write. */
      readonly notStored: number;
      /** Observations not stored since the kit started. */
      readonly notStoredTotal: number;
      readonly at: Date;
    }
  /** The store's writability or the disk's free space changed (see {@link StorageStatus}). */
  | { readonly type: 'storage'; readonly status: StorageStatus }
  /** The link to the specialists: delivery states, received items, the hub connection. */
  | KitLinkEvent;
