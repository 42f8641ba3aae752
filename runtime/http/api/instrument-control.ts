import { asDeviceId, type TransportPairing } from '../../../ble-devices/transport.ts';
import type { DiscoveredInstrument, InstrumentStatus } from '../../instruments/instrument-status.ts';
import type { AnswerRefusal, PairingSessions, PairingSessionView } from '../../instruments/pairing.ts';

/**
 * The kit's set of instruments as the tablet's instrument screen changes it (the instrument
 * manager has exactly this): what is remembered, what scans found, add one, remove one.
 */
export interface InstrumentSet {
  list(): InstrumentStatus[];
  discovered(): DiscoveredInstrument[];
  scan(timeoutMs?: number): Promise<DiscoveredInstrument[]>;
  remember(id: string, options?: { profile?: string; name?: string }): Promise<InstrumentStatus>;
  /** False when the instrument was not remembered. */
  forget(id: string): Promise<boolean>;
}

/**
 * Pairing from the tablet, where the kit's radio can bond (BlueZ): each of BlueZ's questions goes
 * out as a live `pairing` event and the person's answer comes back through {@link answer}.
 */
export interface InstrumentPairing {
  /** Starts pairing; throws when the instrument is already being paired. */
  start(device: { readonly id: string; readonly name?: string }): PairingSessionView;
  /** Running and recently ended sessions (a tablet that reconnects picks up an open question). */
  sessions(): PairingSessionView[];
  answer(sessionId: string, answer: unknown): { ok: true } | { ok: false; reason: AnswerRefusal };
  cancel(sessionId: string): boolean;
}

/**
 * Everything the `/api/instruments` routes drive, in one place so there is one instrument API:
 * the set (always), and pairing only on a kit whose radio can bond (absent: the routes answer
 * 501 `not_available`, and the tablet remembers instruments without bonding).
 */
export interface InstrumentControl extends InstrumentSet {
  readonly pairing?: InstrumentPairing;
}

/**
 * The instrument API's control over the kit's manager and pairing sessions. Forgetting an
 * instrument that is bonded but was never remembered (pairing worked, no driver took it) removes
 * the bond, so "forget" always leaves the kit without a trace of the device.
 */
export function instrumentControl(
  set: InstrumentSet,
  pairing?: PairingSessions,
  bonds?: Pick<TransportPairing, 'isBonded' | 'removeBond'>,
): InstrumentControl {
  const base: InstrumentSet = {
    list: () => set.list(),
    discovered: () => set.discovered(),
    scan: (ms) => set.scan(ms),
    remember: (id, options) => set.remember(id, options),
    async forget(id) {
      if (await set.forget(id)) return true;
      if (!bonds || !(await bonds.isBonded(asDeviceId(id)).catch(() => false))) return false;
      await bonds.removeBond(asDeviceId(id));
      return true;
    },
  };
  if (!pairing?.supported) return base;
  return {
    ...base,
    pairing: {
      start: (device) => pairing.start({ ...device, id: asDeviceId(device.id) }),
      sessions: () => pairing.list(),
      answer: (id, answer) => pairing.answer(id, answer),
      cancel: (id) => pairing.cancel(id),
    },
  };
}
