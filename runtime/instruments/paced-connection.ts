import {
  TransportError,
  type GattConnection,
  type SubscribeMode,
  type Unsubscribe,
} from '../../ble-devices/transport.ts';

/**
 * One GATT operation in flight per device, at least `spacingMs` apart, with a deadline each.
 * Wraps whatever the transport gives (the transports serialise too, but the manager's own steps
 * and the driver's share this one queue, and many instruments misbehave when a request follows
 * the previous answer too closely). Reads and writes past `timeoutMs` fail with `timeout`, so a
 * radio that never answers cannot wedge the instrument's loop.
 */
export class PacedConnection implements GattConnection {
  #tail: Promise<unknown> = Promise.resolve();
  #lastEnd = 0;
  /** Operations run through this connection (a diagnostic for tests). */
  operations = 0;

  constructor(
    private readonly inner: GattConnection,
    private readonly spacingMs: number,
    private readonly timeoutMs: number,
  ) {}

  get id() {
    return this.inner.id;
  }

  #run<T>(what: string, op: (signal: AbortSignal) => Promise<T>, outer?: AbortSignal): Promise<T> {
    const next = this.#tail.then(async () => {
      const wait = this.#lastEnd + this.spacingMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (outer?.aborted) throw new TransportError('aborted', `${what} aborted`);
      this.operations++;
      const deadline = AbortSignal.timeout(this.timeoutMs);
      const signal = outer ? AbortSignal.any([outer, deadline]) : deadline;
      let onAbort = (): void => undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () =>
          reject(
            deadline.aborted
              ? new TransportError(
                  'timeout',
                  `${what} on ${this.inner.id}: no answer in ${this.timeoutMs} ms`,
                )
              : new TransportError('aborted', `${what} aborted`),
          );
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([op(signal), aborted]);
      } finally {
        signal.removeEventListener('abort', onAbort);
        aborted.catch(() => undefined);
        this.#lastEnd = Date.now();
      }
    });
    this.#tail = next.catch(() => undefined);
    return next;
  }

  read(service: string, characteristic: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#run(`read ${characteristic}`, (s) => this.inner.read(service, characteristic, s), signal);
  }

  write(service: string, characteristic: string, value: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.#run(
      `write ${characteristic}`,
      (s) => this.inner.write(service, characteristic, value, s),
      signal,
    );
  }

  subscribe(
    service: string,
    characteristic: string,
    mode: SubscribeMode,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    return this.#run(`subscribe ${characteristic}`, () =>
      this.inner.subscribe(service, characteristic, mode, onValue),
    );
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    return this.inner.onDisconnect(listener);
  }

  disconnect(): Promise<void> {
    return this.inner.disconnect();
  }
}
