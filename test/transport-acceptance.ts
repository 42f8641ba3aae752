import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransportError, type DeviceId, type Transport } from '../ble-devices/transport.ts';
import { until } from './helpers/until.ts';

/** What a transport implementation provides to the shared suite: one test instrument behind it. */
export interface TransportFixture {
  readonly transport: Transport;
  readonly deviceId: DeviceId;
  /** Service with a readable char `readChar` holding `readValue` and a notify-only char `notifyChar`. */
  readonly service: string;
  readonly readChar: string;
  readonly readValue: Uint8Array;
  readonly notifyChar: string;
  /** Makes the instrument send `bytes` on `notifyChar`. */
  notify(bytes: Uint8Array): void;
  /**
   * Where a link frames its values (a serial oximeter notifies whole frames and streams its own
   * between the fixture's), the sequence tag `notify(Uint8Array.of(tag, ...))` put in a delivered
   * value, or undefined for a value the fixture did not send. Default: the first byte.
   */
  readonly valueTag?: (value: Uint8Array) => number | undefined;
  /** Makes the instrument drop the link. */
  dropLink(): void;
  teardown(): Promise<void>;
}

/**
 * The behaviour every Transport must show (today only the simulator's runs it; node-ble, noble
 * and serial will), run by each
 * implementation's own test file with its own setup, in the style of automerge-repo's adapter suites.
 */
export function runTransportTests(name: string, setup: () => Promise<TransportFixture>): void {
  describe(`Transport acceptance: ${name}`, () => {
    let f: TransportFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(async () => f.teardown());

    it('lists the instrument with its service in a scan', async () => {
      const found = await f.transport.scan({ timeoutMs: 2000 });
      const dev = found.find((d) => d.id === f.deviceId);
      expect(dev?.services).toContain(f.service);
    });

    it('reads a characteristic value', async () => {
      const conn = await f.transport.connect(f.deviceId);
      expect([...(await conn.read(f.service, f.readChar))]).toEqual([...f.readValue]);
      await conn.disconnect();
    });

    it('delivers notifications in order while subscribed, and none after unsubscribing', async () => {
      const conn = await f.transport.connect(f.deviceId);
      const got: number[] = [];
      const tagOf = f.valueTag ?? ((v: Uint8Array) => v[0]);
      const off = await conn.subscribe(f.service, f.notifyChar, 'notify', (v) => {
        const tag = tagOf(v);
        if (tag !== undefined) got.push(tag);
      });
      for (let i = 0; i < 20; i++) f.notify(Uint8Array.of(i, 0xaa));
      await until(() => got.length === 20, { timeoutMs: 2000, what: '20 notifications' });
      expect(got).toEqual([...Array(20).keys()]);
      await off();
      // The sentinel: a fresh subscriber that must receive the same notification. Once it has,
      // the unsubscribed listener would have had it too, so its silence is proven, not slept on.
      const sentinel: number[] = [];
      const offSentinel = await conn.subscribe(f.service, f.notifyChar, 'notify', (v) => {
        const tag = tagOf(v);
        if (tag !== undefined) sentinel.push(tag);
      });
      f.notify(Uint8Array.of(99));
      await until(() => sentinel.includes(99), { timeoutMs: 2000, what: 'the sentinel notification' });
      expect(got).not.toContain(99);
      await offSentinel();
      await conn.disconnect();
    });

    it('refuses a subscription in the wrong mode with a typed error', async () => {
      const conn = await f.transport.connect(f.deviceId);
      await expect(
        conn.subscribe(f.service, f.notifyChar, 'indicate', () => undefined),
      ).rejects.toBeInstanceOf(TransportError);
      await conn.disconnect();
    });

    it('names a missing characteristic', async () => {
      const conn = await f.transport.connect(f.deviceId);
      await expect(conn.read(f.service, 'ffee')).rejects.toMatchObject({ code: 'no_such_characteristic' });
      await conn.disconnect();
    });

    it('reports link loss and refuses operations afterwards', async () => {
      const conn = await f.transport.connect(f.deviceId);
      const reasons: string[] = [];
      conn.onDisconnect((r) => reasons.push(r));
      f.dropLink();
      await until(() => reasons.length === 1, { timeoutMs: 2000, what: 'the disconnect report' });
      await expect(conn.read(f.service, f.readChar)).rejects.toMatchObject({ code: 'not_connected' });
    });

    it('honours an aborted signal', async () => {
      const ac = new AbortController();
      ac.abort();
      await expect(f.transport.connect(f.deviceId, ac.signal)).rejects.toMatchObject({ code: 'aborted' });
    });

    it('fails to connect to an unknown instrument with not_found', async () => {
      await expect(f.transport.connect('no-such-device' as DeviceId)).rejects.toMatchObject({
        code: 'not_found',
      });
    });
  });
}
