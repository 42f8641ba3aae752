import { uuidKey } from '../../codecs/uuid.ts';
import {
  TransportError,
  type DeviceId,
  type GattConnection,
  type SubscribeMode,
  type Unsubscribe,
} from '../../transport.ts';
import type { NobleCharacteristic, NoblePeripheral, NobleService } from './noble-api.ts';

/** ATT's largest attribute value. */
const MAX_VALUE = 512;

/** noble spells 128-bit UUIDs without dashes; the kit compares `uuidKey` forms. */
export function fromNobleUuid(uuid: string): string {
  const u = uuid.toLowerCase();
  return u.length === 32
    ? uuidKey(`${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20)}`)
    : uuidKey(u);
}

/** Bounds a noble promise by a deadline and an AbortSignal, as typed transport errors. */
export function withDeadline<T>(
  op: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  what: string,
): Promise<T> {
  if (signal?.aborted) return Promise.reject(new TransportError('aborted', `${what}: aborted`));
  return new Promise<T>((resolve, reject) => {
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(new TransportError('aborted', `${what}: aborted`));
    };
    const timer = setTimeout(() => {
      finish();
      reject(new TransportError('timeout', `${what}: no answer in ${ms} ms`));
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    op.then(
      (v) => {
        finish();
        resolve(v);
      },
      (err: unknown) => {
        finish();
        reject(
          err instanceof TransportError
            ? err
            : new TransportError('not_permitted', `${what}: ${String((err as Error)?.message ?? err)}`),
        );
      },
    );
  });
}

interface Subscription {
  readonly char: NobleCharacteristic;
  readonly listeners: Set<(value: Uint8Array) => void>;
  readonly onData: (data: Buffer, isNotification: boolean) => void;
}

/**
 * A connected noble peripheral as a {@link GattConnection}. Operations are serialised; each
 * characteristic gets one noble 'data' listener and one CCCD write however many subscribers it
 * has; the peripheral's 'disconnect' listener is registered once and removed with the link.
 */
export class NobleConnection implements GattConnection {
  readonly #chars = new Map<string, NobleCharacteristic>();
  readonly #subs = new Map<string, Subscription>();
  readonly #lost = new Set<(reason: string) => void>();
  #chain: Promise<unknown> = Promise.resolve();
  #open = true;
  readonly #onPeripheralLost = (reason: string): void =>
    this.#end(reason ? `link lost (${reason})` : 'link lost');

  constructor(
    readonly id: DeviceId,
    private readonly peripheral: NoblePeripheral,
    services: readonly NobleService[],
    private readonly opMs: number,
  ) {
    for (const s of services) {
      for (const c of s.characteristics)
        this.#chars.set(`${fromNobleUuid(s.uuid)}/${fromNobleUuid(c.uuid)}`, c);
    }
    peripheral.once('disconnect', this.#onPeripheralLost);
  }

  #end(reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    this.peripheral.removeListener('disconnect', this.#onPeripheralLost);
    for (const s of this.#subs.values()) s.char.removeListener('data', s.onData);
    this.#subs.clear();
    for (const l of [...this.#lost]) l(reason);
    this.#lost.clear();
  }

  #run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(op, op);
    this.#chain = next.catch(() => undefined);
    return next;
  }

  #char(service: string, characteristic: string, signal?: AbortSignal): NobleCharacteristic {
    if (signal?.aborted) throw new TransportError('aborted', 'operation aborted');
    if (!this.#open || this.peripheral.state !== 'connected') {
      throw new TransportError('not_connected', `${this.id} is not connected`);
    }
    const c = this.#chars.get(`${uuidKey(service)}/${uuidKey(characteristic)}`);
    if (!c) {
      throw new TransportError(
        'no_such_characteristic',
        `no characteristic ${uuidKey(characteristic)} in service ${uuidKey(service)}`,
      );
    }
    return c;
  }

  read(service: string, characteristic: string, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#run(async () => {
      const c = this.#char(service, characteristic, signal);
      if (!c.properties.includes('read'))
        throw new TransportError('not_permitted', `${c.uuid} is not readable`);
      return new Uint8Array(await withDeadline(c.readAsync(), this.opMs, signal, `read ${c.uuid}`));
    });
  }

  write(service: string, characteristic: string, value: Uint8Array, signal?: AbortSignal): Promise<void> {
    return this.#run(async () => {
      const c = this.#char(service, characteristic, signal);
      if (value.byteLength > MAX_VALUE)
        throw new TransportError('value_too_long', `${value.byteLength} > ${MAX_VALUE} bytes`);
      // With response whenever the characteristic allows it: control points must be acknowledged.
      const withResponse = c.properties.includes('write');
      if (!withResponse && !c.properties.includes('writeWithoutResponse')) {
        throw new TransportError('not_permitted', `${c.uuid} is not writable`);
      }
      await withDeadline(
        c.writeAsync(Buffer.from(value), !withResponse),
        this.opMs,
        signal,
        `write ${c.uuid}`,
      );
    });
  }

  subscribe(
    service: string,
    characteristic: string,
    mode: SubscribeMode,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    return this.#run(async () => {
      const c = this.#char(service, characteristic);
      // noble writes the CCCD itself: notify when offered, else indicate. A characteristic that
      // offers both is subscribed with notifications even when indications were asked for.
      if (!c.properties.includes(mode))
        throw new TransportError('not_permitted', `${c.uuid} does not support ${mode}`);
      const key = `${uuidKey(service)}/${uuidKey(characteristic)}`;
      let sub = this.#subs.get(key);
      if (!sub) {
        const listeners = new Set<(value: Uint8Array) => void>();
        const onData = (data: Buffer, isNotification: boolean): void => {
          // noble emits 'data' for reads too; only notifications and indications are values pushed to us.
          if (!isNotification) return;
          const value = new Uint8Array(data);
          for (const l of [...listeners]) l(value);
        };
        sub = { char: c, listeners, onData };
        c.on('data', onData);
        this.#subs.set(key, sub);
        try {
          await withDeadline(c.subscribeAsync(), this.opMs, undefined, `subscribe ${c.uuid}`);
        } catch (err) {
          c.removeListener('data', onData);
          this.#subs.delete(key);
          throw err;
        }
      }
      const listener = (v: Uint8Array): void => onValue(v);
      sub.listeners.add(listener);
      const owned = sub;
      return () =>
        this.#run(async () => {
          owned.listeners.delete(listener);
          if (owned.listeners.size > 0 || this.#subs.get(key) !== owned) return;
          this.#subs.delete(key);
          owned.char.removeListener('data', owned.onData);
          if (this.#open) {
            await withDeadline(
              owned.char.unsubscribeAsync(),
              this.opMs,
              undefined,
              `unsubscribe ${c.uuid}`,
            ).catch(() => undefined);
          }
        });
    });
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    if (!this.#open) {
      queueMicrotask(() => listener('not connected'));
      return () => undefined;
    }
    this.#lost.add(listener);
    return () => this.#lost.delete(listener);
  }

  disconnect(): Promise<void> {
    return this.#run(async () => {
      if (!this.#open) return;
      this.#end('collector disconnected');
      await withDeadline(this.peripheral.disconnectAsync(), this.opMs, undefined, 'disconnect').catch(
        () => undefined,
      );
    });
  }
}
