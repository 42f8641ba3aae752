import type {
  WireEvents,
  WireInstrument,
  WireObservation,
  WirePairingSession,
  WireStorage,
} from '../../../../runtime/http/wire.ts';
import type { LiveMessage } from '../net/stream.ts';

/** The newest stored reading of one instrument per LOINC code. */
export type DeviceValues = Readonly<Record<string, WireObservation>>;

/** What the instruments are doing right now, built only from the live channel. */
export interface LiveState {
  readonly instruments: Readonly<Record<string, WireInstrument>>;
  /**
   * Newest readings by instrument: only the instrument that sent something gets a new object,
   * so the other instruments' cards are not redrawn.
   */
  readonly latest: Readonly<Record<string, DeviceValues>>;
  /** Display-only values (cuff pressure while inflating) by instrument. */
  readonly previews: Readonly<Record<string, WireEvents['preview']>>;
  /** The kit's storage status (null until the hello): writable, readings not stored, disk space. */
  readonly storage: WireStorage | null;
  /** The message of the last failed write, kept until writes succeed again. */
  readonly storeError: string | null;
  /** Pairing sessions by id, as the kit announced them (a question to answer, or the outcome). */
  readonly pairings: Readonly<Record<string, WirePairingSession>>;
}

/** Before the first message. */
export const EMPTY_LIVE: LiveState = {
  instruments: {},
  latest: {},
  previews: {},
  storage: null,
  storeError: null,
  pairings: {},
};

function withObservations(state: LiveState, list: readonly WireObservation[]): LiveState {
  const latest = { ...state.latest };
  let previews = state.previews;
  for (const o of list) {
    const values = latest[o.deviceId] ?? {};
    const prev = values[o.loinc];
    if (!prev || prev.effectiveAt <= o.effectiveAt) latest[o.deviceId] = { ...values, [o.loinc]: o };
    // A stored reading ends that instrument's preview (the cuff pressure while inflating).
    if (previews[o.deviceId]) {
      const { [o.deviceId]: _ended, ...rest } = previews;
      previews = rest;
    }
  }
  return { ...state, latest, previews };
}

/** Applies one live message (those that are not about instruments leave the state as it is). */
export function reduceLive(state: LiveState, m: LiveMessage): LiveState {
  switch (m.type) {
    case 'hello':
      return {
        ...state,
        instruments: Object.fromEntries(m.data.instruments.map((i) => [i.id, i])),
        storage: m.data.storage,
        storeError: m.data.storage.lastError,
      };
    case 'instrument':
      return { ...state, instruments: { ...state.instruments, [m.data.id]: m.data } };
    case 'pairing':
      return { ...state, pairings: { ...state.pairings, [m.data.id]: m.data } };
    case 'observations':
      return withObservations(state, m.data);
    case 'preview':
      return { ...state, previews: { ...state.previews, [m.data.deviceId]: m.data } };
    case 'store-error':
      // The count comes with every failure; the `storage` event that follows may lag behind it.
      return {
        ...state,
        storeError: m.data.message,
        storage: state.storage && {
          ...state.storage,
          writable: m.data.code === 'invalid_record' ? state.storage.writable : false,
          notStoredTotal: Math.max(state.storage.notStoredTotal, m.data.notStoredTotal),
        },
      };
    case 'storage':
      return {
        ...state,
        storage: m.data,
        storeError: m.data.writable ? null : (m.data.lastError ?? state.storeError),
      };
    default:
      return state;
  }
}
