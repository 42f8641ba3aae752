import type { KitEvent } from '../../events.ts';
import { toWireObservation, type WireEvents } from '../wire.ts';

/** One kit event as it crosses the live channel: its SSE event name and its JSON data. */
export type WireEvent = { [K in keyof WireEvents]: { event: K; data: WireEvents[K] } }[keyof WireEvents];

/**
 * Events a tablet can miss without harm: instantaneous values with no stored counterpart (a cuff
 * pressure while it inflates). They are not kept for replay and carry no event id; everything
 * else is kept and replayed to a tablet that reconnects.
 */
export const EPHEMERAL: ReadonlySet<WireEvent['event']> = new Set(['preview', 'waveform', 'call']);

/** Maps a kit event to its wire form. */
export function toWireEvent(e: KitEvent): WireEvent {
  switch (e.type) {
    case 'observations':
      return { event: 'observations', data: e.records.map(toWireObservation) };
    case 'preview':
      return {
        event: 'preview',
        data: { deviceId: e.deviceId, deviceName: e.deviceName, ...e.preview, at: e.at.toISOString() },
      };
    case 'instrument':
      return { event: 'instrument', data: e.status };
    case 'dropped':
      return {
        event: 'dropped',
        data: {
          deviceId: e.frame.deviceId,
          characteristic: e.frame.characteristic,
          error: e.frame.error.message,
          at: e.frame.receivedAt.toISOString(),
        },
      };
    case 'store-error':
      return {
        event: 'store-error',
        data: {
          message: e.message,
          code: e.code,
          notStored: e.notStored,
          notStoredTotal: e.notStoredTotal,
          at: e.at.toISOString(),
        },
      };
    case 'storage':
      return { event: 'storage', data: e.status };
    case 'visit':
      return { event: 'visit', data: e.change };
    case 'consultation':
      return { event: 'consultation', data: e.change };
    case 'waveform':
      return { event: 'waveform', data: { ...e.waveform, startAt: e.waveform.startAt.toISOString() } };
    case 'pairing':
      return { event: 'pairing', data: e.session };
    case 'link-state':
      return { event: 'link-state', data: e.delivery };
    case 'link-received':
      return { event: 'link-received', data: e.item };
    case 'link-status':
      return { event: 'link-status', data: e.status };
    case 'call':
      return { event: 'call', data: e.call };
  }
}
