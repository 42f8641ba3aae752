import { DBusError, Message, Variant, type MessageBus } from 'dbus-next';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawClient } from '../../test/helpers/bluez-fixture.ts';
import { SimPeripheral } from '../gatt/sim-peripheral.ts';
import { SimBluez, startPrivateBus, type PrivateBus, type SimBluezDevice } from './index.ts';

/** The simulated bluetoothd seen by a plain D-Bus client (no node-ble), checked against BlueZ's own rules. */
describe('simulated BlueZ on the bus', () => {
  let bus: PrivateBus;
  let bluez: SimBluez | undefined;
  let client: MessageBus | undefined;
  beforeAll(async () => {
    bus = await startPrivateBus();
  });
  afterAll(async () => bus.stop());
  afterEach(async () => {
    client?.disconnect();
    await bluez?.stop();
    client = undefined;
    bluez = undefined;
  });

  const peripheral = (id: string): SimPeripheral =>
    new SimPeripheral(id, `Sim ${id}`, {
      '180f': { '2a19': { properties: ['read', 'notify'], value: Uint8Array.of(42) } },
      '1808': { '2a52': { properties: ['write', 'indicate'] } },
    });

  async function setup(options: { temporaryTimeoutMs?: number; connectTimeoutMs?: number } = {}) {
    const a = peripheral('a');
    const b = peripheral('b');
    bluez = await SimBluez.start({
      busAddress: bus.address,
      devices: [{ peripheral: a }, { peripheral: b }],
      connectMs: 5,
      resolveMs: 5,
      advertisingIntervalMs: 20,
      ...options,
    });
    client = await rawClient(bus.address);
    const c = client;
    const call = (path: string, iface: string, member: string, signature = '', body: unknown[] = []) =>
      c.call(new Message({ destination: 'org.bluez', path, interface: iface, member, signature, body }));
    const fails = async (p: Promise<unknown>): Promise<string> => {
      const err = await p.then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DBusError);
      return `${(err as DBusError).type}: ${(err as DBusError).text}`;
    };
    return { a, b, call, fails, c };
  }

  const ADAPTER = '/org/bluez/hci0';

  it('discovery is per client: a second StartDiscovery is InProgress, a StopDiscovery without one fails, bad filters are refused', async () => {
    const { call, fails } = await setup();
    expect(
      await fails(
        call(ADAPTER, 'org.bluez.Adapter1', 'SetDiscoveryFilter', 'a{sv}', [
          { Colour: new Variant('s', 'red') },
        ]),
      ),
    ).toBe('org.bluez.Error.InvalidArguments: Invalid arguments in method call');
    await call(ADAPTER, 'org.bluez.Adapter1', 'SetDiscoveryFilter', 'a{sv}', [
      { Transport: new Variant('s', 'le') },
    ]);
    await call(ADAPTER, 'org.bluez.Adapter1', 'StartDiscovery');
    expect(await fails(call(ADAPTER, 'org.bluez.Adapter1', 'StartDiscovery'))).toBe(
      'org.bluez.Error.InProgress: In Progress',
    );
    await call(ADAPTER, 'org.bluez.Adapter1', 'StopDiscovery');
    expect(await fails(call(ADAPTER, 'org.bluez.Adapter1', 'StopDiscovery'))).toBe(
      'org.bluez.Error.Failed: No discovery started',
    );
  });

  it('unpaired devices vanish after the temporary timeout once no longer heard; a paired one stays', async () => {
    const { call, c } = await setup({ temporaryTimeoutMs: 150 });
    const removed: string[] = [];
    const om = (await c.getProxyObject('org.bluez', '/')).getInterface('org.freedesktop.DBus.ObjectManager');
    om.on('InterfacesRemoved', (path: string) => removed.push(path));
    await call(ADAPTER, 'org.bluez.Adapter1', 'StartDiscovery');
    await expect.poll(() => bluez!.devices.every((d) => d.exported)).toBe(true);
    const [a, b] = bluez!.devices as [SimBluezDevice, SimBluezDevice];
    // Heard all the time while discovering: nobody vanishes.
    await new Promise((r) => setTimeout(r, 300));
    expect(removed).toEqual([]);
    a.advertising = false; // switched off
    await expect.poll(() => removed).toEqual([a.path]);
    // b stops being heard too (discovery ends), but it is paired: it stays.
    await call(b.path, 'org.bluez.Device1', 'Pair'); // Just Works, no agent needed
    await call(ADAPTER, 'org.bluez.Adapter1', 'StopDiscovery');
    await new Promise((r) => setTimeout(r, 400));
    expect(removed).toEqual([a.path]);
    expect(b.exported).toBe(true);
  });

  it('every notification is a PropertiesChanged carrying Value, even unchanged, sent by the owner of org.bluez', async () => {
    const { a, call, c } = await setup(); // a notifies on 2a19
    await call(ADAPTER, 'org.bluez.Adapter1', 'StartDiscovery');
    await expect.poll(() => bluez!.devices[0]!.exported).toBe(true);
    const dev = bluez!.devices[0]!;
    await call(dev.path, 'org.bluez.Device1', 'Connect');
    await expect.poll(() => dev.gatt.exported).toBe(true); // ServicesResolved
    const charPath = dev.gatt.pathOf('180f', '2a19')!;
    const seen: Array<{ sender: string; value: number[] }> = [];
    await c.call(
      new Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'AddMatch',
        signature: 's',
        body: [`type='signal',interface='org.freedesktop.DBus.Properties',path='${charPath}'`],
      }),
    );
    c.on('message', (m: Message) => {
      if (m.member !== 'PropertiesChanged' || m.path !== charPath) return;
      const changed = (m.body as [string, Record<string, Variant>])[1];
      if (changed.Value) seen.push({ sender: m.sender, value: [...(changed.Value.value as Buffer)] });
    });
    await call(charPath, 'org.bluez.GattCharacteristic1', 'StartNotify');
    for (let i = 0; i < 3; i++) a.emit('180f', '2a19', Uint8Array.of(7));
    await expect.poll(() => seen.length).toBe(3);
    expect(seen.map((s) => s.value)).toEqual([[7], [7], [7]]);
    expect(new Set(seen.map((s) => s.sender))).toEqual(new Set([bluez!.owner]));
  });

  it("WriteValue records its type; a Reliable Write to a control point is refused; CCCDs are BlueZ's own", async () => {
    const { call, fails } = await setup();
    await call(ADAPTER, 'org.bluez.Adapter1', 'StartDiscovery');
    await expect.poll(() => bluez!.devices[0]!.exported).toBe(true);
    const dev = bluez!.devices[0]!;
    await call(dev.path, 'org.bluez.Device1', 'Connect');
    await expect.poll(() => dev.gatt.exported).toBe(true);
    const cp = dev.gatt.pathOf('1808', '2a52')!;
    const write = (type?: string) =>
      call(cp, 'org.bluez.GattCharacteristic1', 'WriteValue', 'aya{sv}', [
        Buffer.from([1, 1]),
        type ? { type: new Variant('s', type) } : {},
      ]);
    expect(await fails(write('reliable'))).toBe('org.bluez.Error.NotSupported: Operation is not supported');
    await write('request');
    await write();
    expect(bluez!.writes.map((w) => [w.type, w.ok])).toEqual([
      ['reliable', false],
      ['request', true],
      ['', true],
    ]);
    expect(
      await fails(
        call(
          `${cp}/desc${(parseInt(cp.slice(-4), 16) + 2).toString(16).padStart(4, '0')}`,
          'org.bluez.GattDescriptor1',
          'WriteValue',
          'aya{sv}',
          [Buffer.from([1, 0]), {}],
        ),
      ),
    ).toBe('org.bluez.Error.NotPermitted: Write not permitted');
  });

  it('connecting to an instrument that is not there aborts after the attempt times out', async () => {
    const { call, fails } = await setup({ connectTimeoutMs: 100 });
    await call(ADAPTER, 'org.bluez.Adapter1', 'StartDiscovery');
    await expect.poll(() => bluez!.devices[0]!.exported).toBe(true);
    const dev = bluez!.devices[0]!;
    dev.advertising = false;
    const started = Date.now();
    expect(await fails(call(dev.path, 'org.bluez.Device1', 'Connect'))).toBe(
      'org.bluez.Error.Failed: le-connection-abort-by-local',
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await fails(call(dev.path, 'org.bluez.Device1', 'Disconnect'))).toBe(
      'org.bluez.Error.NotConnected: Not Connected',
    );
    expect(await fails(call(dev.path, 'org.bluez.Device1', 'CancelPairing'))).toBe(
      'org.bluez.Error.DoesNotExist: Does Not Exist',
    );
  });
});
