import type { WireEvents, WireInstrument, WireObservation } from '../../../../runtime/http/wire.ts';
import type { LiveMessage } from '../net/stream.ts';

/** What the instruments are doing right now, built only from the live channel. */
export interface LiveState {
  readonly instruments: Readonly<Record<string, WireInstrument>>;
  /** Newest stored reading per instrument and code (`deviceId|loinc`). */
  readonly latest: Readonly<Record<string, WireObservation>>;
  readonly preview: WireEvents['preview'] | null;
  readonly storeError: string | null;
}

/** Before the first message. */
export const EMPTY_LIVE: LiveState = { instruments: {}, latest: {}, preview: null, storeError: null };

/** The key of a live value card. */
export const liveKey = (o: { deviceId: string; loinc: string }): string => `${o.deviceId}|${o.loinc}`;

/** Applies one live message (those that are not about instruments leave the state as it is). */
export function reduceLive(state: LiveState, m: LiveMessage): LiveState {
  switch (m.type) {
    case 'hello':
      return { ...state, instruments: Object.fromEntries(m.data.instruments.map((i) => [i.id, i])) };
    case 'instrument':
      return { ...state, instruments: { ...state.instruments, [m.data.id]: m.data } };
    case 'observations': {
      const latest = { ...state.latest };
      for (const o of m.data) {
        const prev = latest[liveKey(o)];
        if (!prev || prev.effectiveAt <= o.effectiveAt) latest[liveKey(o)] = o;
      }
      // A stored reading ends that instrument's preview (the cuff pressure while inflating).
      const preview =
        state.preview && m.data.some((o) => o.deviceId === state.preview?.deviceId) ? null : state.preview;
      return { ...state, latest, preview, storeError: null };
    }
    case 'preview':
      return { ...state, preview: m.data };
    case 'store-error':
      return { ...state, storeError: m.data.message };
    default:
      return state;
  }
}
