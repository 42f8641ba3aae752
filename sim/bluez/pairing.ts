import { AgentRefusal, type AgentCapability, type AgentRegistry, type RegisteredAgent } from './agents.ts';
import { BluezErrors } from './bluez-errors.ts';

/**
 * How an instrument pairs (its IO capability against ours): Just Works (no MITM), passkey entry
 * (the instrument shows six digits, the person types them on the kit), numeric comparison (both
 * show a number, the person confirms) or display (the kit shows the passkey, the person types it
 * on the instrument).
 */
export type PairingMethod = 'just-works' | 'passkey-entry' | 'numeric-comparison' | 'display-passkey';

/** One pairing attempt, from the device's side. */
export interface PairingAttempt {
  readonly method: PairingMethod;
  readonly devicePath: string;
  readonly agent: RegisteredAgent | null;
  readonly agents: AgentRegistry;
  /** The passkey of this attempt (shown by the instrument or the kit). */
  readonly passkey: number;
  /** The instrument rejects even the right passkey (a fault: a confused or tampered instrument). */
  readonly rejectPasskey: boolean;
  readonly signal: AbortSignal;
  /** How long the instrument takes to "type" a displayed passkey. */
  readonly typingMs: number;
}

const CAN_ENTER: readonly AgentCapability[] = ['KeyboardOnly', 'KeyboardDisplay'];
const CAN_CONFIRM: readonly AgentCapability[] = ['DisplayYesNo', 'KeyboardDisplay'];
const CAN_DISPLAY: readonly AgentCapability[] = ['DisplayOnly', 'DisplayYesNo', 'KeyboardDisplay'];

/**
 * Runs the SMP exchange of one Pair() against the registered agent, as bluetoothd would drive it.
 * Resolves when bonded; throws BlueZ's Authentication* errors otherwise. Without an agent that
 * can take part, a pairing that needs the person (MITM protection) fails as AuthenticationFailed:
 * bluetoothd falls back to NoInputNoOutput, which cannot satisfy it.
 */
export async function runPairing(a: PairingAttempt): Promise<void> {
  if (a.method === 'just-works') return;
  const cap = a.agent?.capability ?? 'NoInputNoOutput';
  try {
    switch (a.method) {
      case 'passkey-entry': {
        if (!a.agent || !CAN_ENTER.includes(cap)) throw BluezErrors.authenticationFailed();
        const [entered] = await a.agents.request(a.agent, 'RequestPasskey', 'o', [a.devicePath], a.signal);
        if (entered !== a.passkey || a.rejectPasskey) throw BluezErrors.authenticationFailed();
        return;
      }
      case 'numeric-comparison': {
        if (!a.agent || !CAN_CONFIRM.includes(cap)) throw BluezErrors.authenticationFailed();
        await a.agents.request(a.agent, 'RequestConfirmation', 'ou', [a.devicePath, a.passkey], a.signal);
        if (a.rejectPasskey) throw BluezErrors.authenticationFailed();
        return;
      }
      case 'display-passkey': {
        if (!a.agent || !CAN_DISPLAY.includes(cap)) throw BluezErrors.authenticationFailed();
        await a.agents.request(a.agent, 'DisplayPasskey', 'ouq', [a.devicePath, a.passkey, 0], a.signal);
        await sleep(a.typingMs, a.signal);
        if (a.rejectPasskey) throw BluezErrors.authenticationFailed();
        return;
      }
    }
  } catch (err) {
    throw asPairingError(err);
  }
}

function asPairingError(err: unknown): unknown {
  if (!(err instanceof AgentRefusal)) return err;
  switch (err.kind) {
    case 'rejected':
      return BluezErrors.authenticationRejected();
    case 'canceled':
    case 'gone':
      return BluezErrors.authenticationCanceled();
    case 'timeout':
      return BluezErrors.authenticationTimeout();
    default:
      return BluezErrors.authenticationFailed();
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(new AgentRefusal('canceled', 'cancelled'));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}
