import type { PairingAnswer } from '../../../ble-devices/transport.ts';
import type { InstrumentStatus } from '../../instruments/instrument-status.ts';

/**
 * What the tablet's instrument screen drives. `list` always exists; pairing and forgetting come
 * from the instrument manager and the BlueZ pairing flow, and are absent (answered 501
 * `not_available`) on a kit whose transport cannot bond.
 */
export interface InstrumentControl {
  list(): InstrumentStatus[];
  /** Starts pairing; prompts go out as live events, answers come back through `answer`. */
  pair?(deviceId: string): Promise<{ readonly pairingId: string }>;
  /** The person's answer to a pairing prompt (passkey, yes/no). */
  answer?(pairingId: string, answer: PairingAnswer): boolean;
  /** Cancels a pairing in progress. */
  cancel?(pairingId: string): boolean;
  /** Forgets a remembered instrument and its bond. */
  forget?(deviceId: string): Promise<boolean>;
}
