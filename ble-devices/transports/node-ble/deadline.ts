import { TransportError } from '../../transport.ts';

/**
 * Awaits `work` for at most `ms`, and no longer than `signal` allows. node-ble and dbus-next
 * await D-Bus replies forever (a daemon that died, a peer that dropped during discovery), so every
 * await in this transport goes through here. `onGiveUp` runs when we stop waiting (to cancel the
 * operation on BlueZ's side: Disconnect for a pending Connect, CancelPairing for a Pair); the late
 * outcome of `work` is swallowed.
 */
export async function deadline<T>(
  work: Promise<T>,
  ms: number,
  what: string,
  signal?: AbortSignal,
  onGiveUp?: () => void,
): Promise<T> {
  if (signal?.aborted) {
    work.catch(() => undefined);
    onGiveUp?.();
    throw new TransportError('aborted', `${what}: aborted`);
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onGiveUp?.();
      reject(new TransportError('timeout', `${what}: no answer in ${ms} ms`));
    }, ms);
    onAbort = () => {
      onGiveUp?.();
      reject(new TransportError('aborted', `${what}: aborted`));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stop]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    work.catch(() => undefined);
  }
}

/** Resolves after `ms`, or rejects as aborted when `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return deadline(new Promise<never>(() => undefined), ms, 'wait', signal).catch((err: unknown) => {
    if (err instanceof TransportError && err.code === 'timeout') return;
    throw err;
  });
}
