import {
  TransportError,
  type DeviceId,
  type GattConnection,
  type SubscribeMode,
  type Unsubscribe,
} from '../../transport.ts';
import { uuidKey } from '../../codecs/uuid.ts';
import { fromBluez, isBluezError } from './bluez-errors.ts';
import { deadline } from './deadline.ts';
import type { CharEntry, DeviceEntry } from './device-entry.ts';
import { OpQueue } from '../op-queue.ts';

/** Time limits of GATT operations on a live link. */
export interface LinkTimeouts {
  readonly opMs: number;
  readonly disconnectMs: number;
}

/**
 * A live BlueZ link to one instrument. Operations run one at a time (GATT allows one outstanding
 * request), each bounded by a timeout and the caller's signal. Control-point writes go as Write
 * Request (`type: 'request'`), never node-ble's default Reliable Write, which instruments refuse.
 * Notifications reach the one subscriber per characteristic through a listener registered once
 * per characteristic for the device's life, so nothing piles up across reconnects.
 */
export class NodeBleConnection implements GattConnection {
  readonly #queue = new OpQueue();
  readonly #listeners = new Set<(reason: string) => void>();
  readonly #subscribed = new Set<CharEntry>();
  readonly #hook = (reason: string): void => this.lost(reason);
  #open = true;

  constructor(
    readonly id: DeviceId,
    private readonly entry: DeviceEntry,
    private readonly timeouts: LinkTimeouts,
    /** True while a pairing owns the device's link (then disconnect leaves the link up). */
    private readonly pairing: () => boolean = () => false,
  ) {
    entry.onLinkLost = this.#hook;
  }

  get open(): boolean {
    return this.#open;
  }

  /** Ends the link's life: subscribers detached, link-loss listeners told once, then dropped. */
  lost(reason: string): void {
    if (!this.#open) return;
    this.#open = false;
    if (this.entry.onLinkLost === this.#hook) this.entry.onLinkLost = null;
    for (const c of this.#subscribed) c.subscriber = null;
    this.#subscribed.clear();
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const l of listeners) l(reason);
  }

  #live(): void {
    if (!this.#open || !this.entry.props.Connected)
      throw new TransportError('not_connected', `${this.id} is not connected`);
  }

  #char(service: string, characteristic: string): CharEntry {
    const c = this.entry.chars?.get(`${uuidKey(service)}/${uuidKey(characteristic)}`);
    if (!c)
      throw new TransportError(
        'no_such_characteristic',
        `no characteristic ${uuidKey(characteristic)} in service ${uuidKey(service)} on ${this.id}`,
      );
    return c;
  }

  #op<T>(what: string, signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      if (signal?.aborted) throw new TransportError('aborted', `${what}: aborted`);
      this.#live();
      try {
        return await deadline(work(), this.timeouts.opMs, what, signal);
      } catch (err) {
        const e = fromBluez(err, what);
        throw !this.#open && e.code !== 'aborted' ? new TransportError('not_connected', e.message) : e;
      }
    });
  }

  read(service: string, characteristic: string, signal?: AbortSignal): Promise<Uint8Array> {
    const what = `read ${uuidKey(characteristic)}`;
    return this.#op(what, signal, async () => {
      const c = this.#char(service, characteristic);
      if (!c.flags.includes('read')) throw new TransportError('not_permitted', `${what}: not readable`);
      const v = await c.nb.readValue();
      c.expectEcho(v);
      return new Uint8Array(v);
    });
  }

  write(service: string, characteristic: string, value: Uint8Array, signal?: AbortSignal): Promise<void> {
    const what = `write ${uuidKey(characteristic)}`;
    return this.#op(what, signal, async () => {
      const c = this.#char(service, characteristic);
      const type = c.flags.includes('write')
        ? 'request'
        : c.flags.includes('write-without-response')
          ? 'command'
          : null;
      if (!type) throw new TransportError('not_permitted', `${what}: not writable`);
      const mtu = await this.#mtu(c);
      if (value.byteLength > mtu - 3)
        throw new TransportError(
          'value_too_long',
          `${what}: ${value.byteLength} > ${mtu - 3} bytes (ATT MTU ${mtu})`,
        );
      await c.nb.writeValue(Buffer.from(value), { offset: 0, type });
    });
  }

  async #mtu(c: CharEntry): Promise<number> {
    const mtu = await c.nb.helper.prop('MTU').catch(() => 23);
    return typeof mtu === 'number' && mtu >= 23 ? mtu : 23;
  }

  subscribe(
    service: string,
    characteristic: string,
    mode: SubscribeMode,
    onValue: (value: Uint8Array) => void,
  ): Promise<Unsubscribe> {
    const what = `subscribe ${uuidKey(characteristic)}`;
    return this.#op(what, undefined, async () => {
      const c = this.#char(service, characteristic);
      // BlueZ picks the CCCD value itself (notify if offered, else indicate): refuse a mode the
      // characteristic does not have, as a CCCD write of it would be refused.
      const offers = c.flags.includes(mode);
      const picks = c.flags.includes('notify') ? 'notify' : c.flags.includes('indicate') ? 'indicate' : null;
      if (!offers || picks !== mode)
        throw new TransportError('not_permitted', `${what}: the characteristic does not ${mode}`);
      c.subscriber = onValue;
      this.#subscribed.add(c);
      try {
        if (!c.started) {
          await c.nb.startNotifications();
          c.started = true;
        } else {
          await c.nb.helper.callMethod('StartNotify');
        }
      } catch (err) {
        if (!isBluezError(err, 'InProgress')) {
          c.subscriber = null;
          this.#subscribed.delete(c);
          throw err;
        }
      }
      return () => this.#unsubscribe(c);
    });
  }

  #unsubscribe(c: CharEntry): Promise<void> {
    if (!this.#subscribed.delete(c)) return Promise.resolve();
    c.subscriber = null;
    if (!this.#open) return Promise.resolve();
    return this.#queue
      .run(() => deadline(c.nb.helper.callMethod('StopNotify'), this.timeouts.opMs, 'StopNotify'))
      .then(
        () => undefined,
        () => undefined, // the link went down meanwhile: nothing left to stop
      );
  }

  onDisconnect(listener: (reason: string) => void): () => void {
    if (!this.#open) {
      queueMicrotask(() => listener('not connected'));
      return () => undefined;
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  disconnect(): Promise<void> {
    return this.#queue.run(async () => {
      if (!this.#open) return;
      for (const c of [...this.#subscribed]) {
        c.subscriber = null;
        await deadline(c.nb.helper.callMethod('StopNotify'), this.timeouts.opMs, 'StopNotify').catch(
          () => undefined,
        );
      }
      this.#subscribed.clear();
      if (this.entry.props.Connected && !this.pairing()) {
        await deadline(this.entry.call('Disconnect'), this.timeouts.disconnectMs, 'Disconnect').catch(
          () => undefined,
        );
      }
      this.lost('collector disconnected');
    });
  }
}
