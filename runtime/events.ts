import type { DroppedFrame, LivePreview } from '../ble-devices/drivers/driver.ts';
import type { ObservationRecord } from '../store/schema/observation.ts';
import type { KitLinkEvent } from './link/kit-link.ts';
import type { WireCall } from './link/live/call-wire.ts';
import type { WireConsultationChange, WireVisitChange } from './http/api/wire-types.ts';
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
  | KitLinkEvent
  /** A visit changed (an entry was stored, the visit closed): tablets on that visit apply it. */
  | { readonly type: 'visit'; readonly change: WireVisitChange }
  /** A tablet's consultation moved on the link (delivery state) or was answered. */
  | { readonly type: 'consultation'; readonly change: WireConsultationChange }
  /** A run of waveform samples (ECG, pleth) for the live strip: display only, stored as a blob elsewhere. */
  | { readonly type: 'waveform'; readonly waveform: Waveform }
  /** A specialist's call ringing, its signaling, or its end (live only, never replayed). */
  | { readonly type: 'call'; readonly call: WireCall };

/** Consecutive samples of one waveform channel, in physical units where the source has them. */
export interface Waveform {
  readonly deviceId: string;
  readonly kind: 'ecg' | 'pleth';
  readonly rateHz: number;
  /** 'uV' for ECG (drawn at 10 mm/mV), 'arb' for pleth (drawn to fit). */
  readonly unit: 'uV' | 'arb';
  /** Time of the first sample. */
  readonly startAt: Date;
  readonly samples: readonly number[];
}
