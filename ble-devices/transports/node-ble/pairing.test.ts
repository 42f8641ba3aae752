import { DBusError, Message } from 'dbus-next';
import { afterEach, describe, expect, it } from 'vitest';
import { SimPeripheral } from '../../../sim/gatt/sim-peripheral.ts';
import type { PairingMethod, SimBluezEvent } from '../../../sim/bluez/index.ts';
import { bluezFixture, rawClient, type BluezFixture } from '../../../test/helpers/bluez-fixture.ts';
import { asDeviceId, TransportError, type PairingPrompt, type PairingResponder } from '../../transport.ts';

/** A cuff that, like an Omron, serves its measurement only over an encrypted (bonded) link. */
function securedCuff(id: string): SimPeripheral {
  return new SimPeripheral(id, 'Secured cuff', {
    '1810': {
      '2a35': { properties: ['indicate'], security: 'encrypted' },
      '2a49': { properties: ['read'], value: Uint8Array.of(0x07, 0x00), security: 'encrypted' },
    },
    '180f': { '2a19': { properties: ['read'], value: Uint8Array.of(50) } },
  });
}

describe('pairing through node-ble and the kit agent', () => {
  let f: BluezFixture | undefined;
  afterEach(async () => {
    await f?.stop();
    f = undefined;
  });

  async function setup(method: PairingMethod, extra: { agentTimeoutMs?: number } = {}) {
    const p = securedCuff(`pair-${method}`);
    f = await bluezFixture({ devices: [{ peripheral: p, pairing: method }], ...extra });
    await f.discover();
    const device = f.bluez.devices[0]!;
    const events: SimBluezEvent[] = [];
    f.bluez.onEvent((e) => events.push(e));
    const passkey = (): number => {
      const e = events.find((x) => x.type === 'passkey');
      if (!e || e.type !== 'passkey') throw new Error('the instrument showed no passkey');
      return e.passkey;
    };
    return { f, p, device, id: asDeviceId(device.address), passkey, events };
  }

  it('pairs with the passkey the instrument shows, then reads what needs encryption', async () => {
    const { f, id, passkey, device } = await setup('passkey-entry');
    // Before the bond the instrument refuses with BlueZ's "Not paired": a typed not_bonded.
    const before = await f.transport.connect(id);
    await expect(before.read('1810', '2a49')).rejects.toMatchObject({ code: 'not_bonded' });
    await before.disconnect();
    const prompts: PairingPrompt[] = [];
    const respond: PairingResponder = (prompt) => {
      prompts.push(prompt);
      return Promise.resolve(passkey());
    };
    await f.transport.pairing.pair(id, respond);
    expect(prompts).toEqual([{ kind: 'enter-passkey' }]);
    expect(await f.transport.pairing.isBonded(id)).toBe(true);
    expect(device.paired).toBe(true);
    const conn = await f.transport.connect(id);
    expect([...(await conn.read('1810', '2a49'))]).toEqual([0x07, 0x00]);
    const got: number[] = [];
    await conn.subscribe('1810', '2a35', 'indicate', (v) => got.push(v[0]!));
    device.options.peripheral.emit('1810', '2a35', Uint8Array.of(0x42));
    await expect.poll(() => got).toEqual([0x42]);
    await conn.disconnect();
  });

  it('fails with pairing_failed on a wrong passkey and stays unbonded', async () => {
    const { f, id, passkey } = await setup('passkey-entry');
    const err = await f.transport.pairing
      .pair(id, () => Promise.resolve((passkey() + 1) % 1_000_000))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({
      code: 'pairing_failed',
      message: expect.stringMatching(/AuthenticationFailed/) as unknown,
    });
    expect(await f.transport.pairing.isBonded(id)).toBe(false);
  });

  it('a passkey that is not a 6-digit number is refused by the agent (AuthenticationRejected)', async () => {
    const { f, id } = await setup('passkey-entry');
    await expect(f.transport.pairing.pair(id, () => Promise.resolve(1_234_567))).rejects.toMatchObject({
      code: 'pairing_failed',
      message: expect.stringMatching(/AuthenticationRejected/) as unknown,
    });
  });

  it('numeric comparison: a "no" is AuthenticationRejected, a "yes" bonds', async () => {
    const { f, id, passkey } = await setup('numeric-comparison');
    await expect(f.transport.pairing.pair(id, () => Promise.resolve(false))).rejects.toMatchObject({
      code: 'pairing_failed',
      message: expect.stringMatching(/AuthenticationRejected/) as unknown,
    });
    const prompts: PairingPrompt[] = [];
    await f.transport.pairing.pair(id, (p) => {
      prompts.push(p);
      return Promise.resolve(true);
    });
    expect(prompts[0]).toEqual({ kind: 'confirm-passkey', passkey: expect.any(Number) as number });
    expect(passkey()).toBeTypeOf('number');
    expect(await f.transport.pairing.isBonded(id)).toBe(true);
  });

  it('display: the kit shows the passkey and the instrument types it', async () => {
    const { f, id } = await setup('display-passkey');
    const prompts: PairingPrompt[] = [];
    await f.transport.pairing.pair(id, (p) => {
      prompts.push(p);
      return Promise.resolve(undefined);
    });
    expect(prompts).toEqual([{ kind: 'display-passkey', passkey: expect.any(Number) as number }]);
    expect(await f.transport.pairing.isBonded(id)).toBe(true);
  });

  it('cancelling while the person is asked sends CancelPairing; the prompt is withdrawn', async () => {
    const { f, id, events } = await setup('passkey-entry');
    const ac = new AbortController();
    let promptSignal: AbortSignal | undefined;
    const pending = f.transport.pairing.pair(
      id,
      (_p, signal) => {
        promptSignal = signal;
        setTimeout(() => ac.abort(), 20);
        return new Promise(() => undefined); // the person never answers
      },
      ac.signal,
    );
    await expect(pending).rejects.toMatchObject({ code: 'pairing_failed' });
    await expect.poll(() => promptSignal?.aborted).toBe(true);
    await expect
      .poll(() => events.find((e) => e.type === 'pairing-failed'))
      .toMatchObject({ error: expect.stringMatching(/AuthenticationCanceled/) as string });
    expect(await f.transport.pairing.isBonded(id)).toBe(false);
  });

  it('an unanswered prompt times out in BlueZ (AuthenticationTimeout) and the agent is told to Cancel', async () => {
    const { f, id } = await setup('passkey-entry', { agentTimeoutMs: 150 });
    let promptSignal: AbortSignal | undefined;
    await expect(
      f.transport.pairing.pair(id, (_p, signal) => {
        promptSignal = signal;
        return new Promise(() => undefined);
      }),
    ).rejects.toMatchObject({
      code: 'pairing_failed',
      message: expect.stringMatching(/AuthenticationTimeout/) as unknown,
    });
    await expect.poll(() => promptSignal?.aborted).toBe(true);
  });

  it('Pair() from a client with no agent fails (AuthenticationFailed), as BlueZ refuses MITM pairing without one', async () => {
    const { f, device } = await setup('passkey-entry');
    // The transport's own agent is the default one: close it so no agent is left on the bus.
    await f.transport.close();
    const client = await rawClient(f.bus.address);
    try {
      const err = await client
        .call(
          new Message({
            destination: 'org.bluez',
            path: device.path,
            interface: 'org.bluez.Device1',
            member: 'Pair',
          }),
        )
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DBusError);
      expect((err as DBusError).type).toBe('org.bluez.Error.AuthenticationFailed');
    } finally {
      client.disconnect();
    }
  });

  it('a bond lost on the instrument shows as not_bonded; removing the bond and pairing again recovers', async () => {
    const { f, id, device, passkey, events } = await setup('passkey-entry');
    await f.transport.pairing.pair(id, () => Promise.resolve(passkey()));
    const first = await f.transport.connect(id);
    await first.disconnect();
    device.loseBond(); // battery swap: the cuff forgot its keys
    await expect(f.transport.connect(id)).rejects.toMatchObject({
      code: 'not_bonded',
      message: expect.stringMatching(/le-connection-key-missing/) as unknown,
    });
    await f.transport.pairing.removeBond(id);
    expect(await f.transport.pairing.isBonded(id)).toBe(false);
    expect(device.exported).toBe(false); // RemoveDevice took the object with it
    await f.discover();
    events.length = 0;
    await f.transport.pairing.pair(id, () => Promise.resolve(passkey()));
    const again = await f.transport.connect(id);
    expect([...(await again.read('1810', '2a49'))]).toEqual([0x07, 0x00]);
    await again.disconnect();
  });
});
