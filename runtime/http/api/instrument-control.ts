import { asDeviceId, type DiscoveredDevice } from '../../../ble-devices/transport.ts';
import type { InstrumentStatus } from '../../instruments/instrument-status.ts';
import type { AnswerRefusal, PairingSessions, PairingSessionView } from '../../instruments/pairing.ts';

/**
 * What the tablet's instrument screen drives. `list` always exists; discovery, pairing and
 * forgetting come from the kit's pairing sessions (runtime/instruments/pairing.ts) and are absent
 * (answered 501 `not_available`) on a kit whose transport cannot bond (the simulator, noble).
 */
export interface InstrumentControl {
  list(): InstrumentStatus[];
  /** Instruments in range, to offer for pairing. */
  discover?(timeoutMs: number): Promise<DiscoveredDevice[]>;
  /** Starts pairing; the session's questions go out as live `pairing` events. Throws when busy. */
  pair?(device: { readonly id: string; readonly name?: string }): PairingSessionView;
  /** Running and recently ended sessions (a tablet that reconnects picks up an open question). */
  sessions?(): PairingSessionView[];
  /** The person's answer to a session's question (a passkey, or yes/no). */
  answer?(sessionId: string, answer: unknown): { ok: true } | { ok: false; reason: AnswerRefusal };
  /** Cancels a pairing in progress. */
  cancel?(sessionId: string): boolean;
  /** Forgets an instrument: its bond is removed. */
  forget?(deviceId: string): Promise<void>;
}

/** The instrument screen's controls over the kit's pairing sessions (pairing where the transport can bond). */
export function instrumentControl(
  list: () => InstrumentStatus[],
  pairing: PairingSessions,
): InstrumentControl {
  if (!pairing.supported) return { list };
  return {
    list,
    discover: (ms) => pairing.discover(ms),
    pair: (device) => pairing.start({ ...device, id: asDeviceId(device.id) }),
    sessions: () => pairing.list(),
    answer: (id, answer) => pairing.answer(id, answer),
    cancel: (id) => pairing.cancel(id),
    forget: (id) => pairing.forget(asDeviceId(id)),
  };
}
