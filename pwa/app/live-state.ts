import type { WireEvents, WireInstrument, WireObservation, WireStorage } from '../../runtime/http/wire.ts';

/** Most observations the tablet keeps in memory for the log view. */
export const HISTORY_LIMIT = 200;

/** Everything the readings screen shows, derived only from server events. */
export interface LiveState {
  readonly online: boolean;
  readonly instruments: Readonly<Record<string, WireInstrument>>;
  /** Newest first, de-duplicated by id. */
  readonly history: readonly WireObservation[];
  readonly preview: WireEvents['preview'] | null;
  /** The kit's storage status (null until the hello): writable, readings not stored, disk space. */
  readonly storage: WireStorage | null;
  /** The message of the last failed write, kept until writes succeed again. */
  readonly storeError: string | null;
}

/** The state before the first event. */
export const INITIAL_STATE: LiveState = {
  online: false,
  instruments: {},
  history: [],
  preview: null,
  storage: null,
  storeError: null,
};

/** State transitions, one per server event; a pure function so it is tested without a browser. */
export type LiveAction =
  | { readonly type: 'online'; readonly online: boolean }
  | { readonly type: 'hello'; readonly data: WireEvents['hello'] }
  | { readonly type: 'loaded'; readonly observations: readonly WireObservation[] }
  | { readonly type: 'observations'; readonly observations: readonly WireObservation[] }
  | { readonly type: 'instrument'; readonly data: WireInstrument }
  | { readonly type: 'preview'; readonly data: WireEvents['preview'] }
  | { readonly type: 'store-error'; readonly data: WireEvents['store-error'] }
  | { readonly type: 'storage'; readonly data: WireStorage };

function merge(current: readonly WireObservation[], incoming: readonly WireObservation[]): WireObservation[] {
  const seen = new Set<string>();
  return [...incoming, ...current]
    .filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true)))
    .sort((a, b) => (a.recordedAt < b.recordedAt ? 1 : a.recordedAt > b.recordedAt ? -1 : 0))
    .slice(0, HISTORY_LIMIT);
}

/** Applies one action. */
export function reduce(state: LiveState, action: LiveAction): LiveState {
  switch (action.type) {
    case 'online':
      return { ...state, online: action.online };
    case 'hello':
      return {
        ...state,
        online: true,
        instruments: Object.fromEntries(action.data.instruments.map((i) => [i.id, i])),
        storage: action.data.storage,
        storeError: action.data.storage.lastError,
      };
    case 'loaded':
    case 'observations':
      return { ...state, history: merge(state.history, action.observations) };
    case 'instrument':
      return { ...state, instruments: { ...state.instruments, [action.data.id]: action.data } };
    case 'preview':
      return { ...state, preview: action.data };
    case 'store-error':
      // The count comes with every failure; the `storage` event that follows may lag behind it.
      return {
        ...state,
        storeError: action.data.message,
        storage: state.storage && {
          ...state.storage,
          writable: action.data.code === 'invalid_record' ? state.storage.writable : false,
          notStoredTotal: Math.max(state.storage.notStoredTotal, action.data.notStoredTotal),
        },
      };
    case 'storage':
      return {
        ...state,
        storage: action.data,
        storeError: action.data.writable ? null : (action.data.lastError ?? state.storeError),
      };
  }
}

/** The newest observation per LOINC code and device: the "latest readings" cards. */
export function latestByCode(history: readonly WireObservation[]): WireObservation[] {
  const out = new Map<string, WireObservation>();
  for (const o of history) {
    const key = `${o.loinc}|${o.deviceId}`;
    if (!out.has(key)) out.set(key, o);
  }
  return [...out.values()];
}
