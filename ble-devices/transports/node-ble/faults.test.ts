import { afterEach, describe, expect, it } from 'vitest';
import { SimPeripheral } from '../../../sim/gatt/sim-peripheral.ts';
import { bluezFixture, type BluezFixture } from '../../../test/helpers/bluez-fixture.ts';
import { asDeviceId, TransportError, type GattConnection } from '../../transport.ts';

function streamer(id: string): SimPeripheral {
  return new SimPeripheral(id, 'Streamer', {
    '1822': { '2a5f': { properties: ['notify'] } },
    '180f': { '2a19': { properties: ['read'], value: Uint8Array.of(90) } },
  });
}

/** Waits for a link-loss report on `conn`. */
function lossOf(conn: GattConnection): Promise<string> {
  return new Promise((resolve) => conn.onDisconnect(resolve));
}

describe('node-ble transport under BlueZ and D-Bus faults', () => {
  let f: BluezFixture | undefined;
  afterEach(async () => {
    await f?.stop();
    f = undefined;
  });

  async function setup(resolveMs = 3000) {
    const p = streamer('fault-1');
    f = await bluezFixture(
      { devices: [{ peripheral: p }] },
      { timeouts: { callMs: 2000, connectMs: 2000, resolveMs } },
    );
    await f.discover();
    const device = f.bluez.devices[0]!;
    return { f, p, device, id: asDeviceId(device.address) };
  }

  it('a connect aborted by the controller (le-connection-abort-by-local) is a typed failure; the next one works', async () => {
    const { f, device, id } = await setup();
    device.faults.connectAborts = 1;
    await expect(f.transport.connect(id)).rejects.toMatchObject({
      code: 'not_connected',
      message: expect.stringMatching(/le-connection-abort-by-local/) as unknown,
    });
    const conn = await f.transport.connect(id);
    expect([...(await conn.read('180f', '2a19'))]).toEqual([90]);
    await conn.disconnect();
  });

  it('ServicesResolved that never comes times out (node-ble would hang) and the half-open link is dropped', async () => {
    const { f, device, id } = await setup(200);
    device.faults.servicesNeverResolve = true;
    const started = Date.now();
    await expect(f.transport.connect(id)).rejects.toMatchObject({ code: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    await expect.poll(() => device.connected).toBe(false);
    device.faults.servicesNeverResolve = false;
    const conn = await f.transport.connect(id);
    await conn.disconnect();
  });

  it('an abort signal stops a connect that waits for services', async () => {
    const { f, device, id } = await setup();
    device.faults.servicesNeverResolve = true;
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(f.transport.connect(id, ac.signal)).rejects.toMatchObject({ code: 'aborted' });
    await expect.poll(() => device.connected).toBe(false);
  });

  it('a drop in the middle of a transfer reports loss after the frames that arrived; reconnect resumes', async () => {
    const { f, p, device, id } = await setup();
    device.faults.dropAfter = { characteristic: '2a5f', count: 5 };
    const conn = await f.transport.connect(id);
    const lost = lossOf(conn);
    const got: number[] = [];
    await conn.subscribe('1822', '2a5f', 'notify', (v) => got.push(v[0]!));
    for (let i = 0; i < 10; i++) p.emit('1822', '2a5f', Uint8Array.of(i));
    expect(await lost).toBe('link lost');
    expect(got).toEqual([0, 1, 2, 3, 4]);
    await expect(conn.read('180f', '2a19')).rejects.toMatchObject({ code: 'not_connected' });
    const again = await f.transport.connect(id);
    const more: number[] = [];
    await again.subscribe('1822', '2a5f', 'notify', (v) => more.push(v[0]!));
    p.emit('1822', '2a5f', Uint8Array.of(42));
    await expect.poll(() => more).toEqual([42]);
    await again.disconnect();
  });

  it('bluetoothd restarting under a new bus owner: links reported lost, the agent registered again, work resumes', async () => {
    const { f, p, id } = await setup();
    const conn = await f.transport.connect(id);
    await conn.subscribe('1822', '2a5f', 'notify', () => undefined);
    const lost = lossOf(conn);
    const before = f.bluez.owner;
    await f.bluez.restart();
    expect(f.bluez.owner).not.toBe(before);
    // The old owner leaves the bus first (NameOwnerChanged to nobody), then the new one arrives.
    expect(await lost).toBe('bluetoothd stopped');
    await expect.poll(() => f.bluez.agents.count).toBe(1);
    // The new bluetoothd knows only bonded devices: discover again, then everything works.
    await expect(f.transport.connect(id)).rejects.toMatchObject({ code: 'not_found' });
    await f.discover();
    const again = await f.transport.connect(id);
    const got: number[] = [];
    await again.subscribe('1822', '2a5f', 'notify', (v) => got.push(v[0]!));
    p.emit('1822', '2a5f', Uint8Array.of(7));
    await expect.poll(() => got).toEqual([7]);
    await again.disconnect();
  });

  it('dbus-daemon killed: links lost, calls fail as unavailable (no crash); once the bus is back a new session works', async () => {
    const { f, p, id } = await setup();
    const conn = await f.transport.connect(id);
    const lost = lossOf(conn);
    f.bus.kill();
    expect(await lost).toMatch(/D-Bus/);
    const err = await f.transport.scan({ timeoutMs: 10 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('unavailable');
    await f.bus.restart();
    await f.bluez.restart();
    await f.discover();
    const again = await f.transport.connect(id);
    const got: number[] = [];
    await again.subscribe('1822', '2a5f', 'notify', (v) => got.push(v[0]!));
    p.emit('1822', '2a5f', Uint8Array.of(9));
    await expect.poll(() => got).toEqual([9]);
    await again.disconnect();
  });

  it('no system bus at all is an unavailable state, not a crashed process', async () => {
    const { NodeBleTransport } = await import('./node-ble-transport.ts');
    const t = new NodeBleTransport({ busAddress: 'unix:path=/nonexistent/fieldkit/system_bus_socket' });
    const probe = await t.probe();
    expect(probe.ok).toBe(false);
    await expect(t.scan({ timeoutMs: 10 })).rejects.toMatchObject({ code: 'unavailable' });
    await t.close();
  });

  it('writes go out as Write Request (type "request"), never node-ble\'s default reliable write', async () => {
    const cp = new SimPeripheral('writer', 'Writer', {
      '1808': { '2a52': { properties: ['write', 'indicate'] } },
    });
    f = await bluezFixture({ devices: [{ peripheral: cp }] });
    await f.discover();
    const id = asDeviceId(f.bluez.devices[0]!.address);
    const conn = await f.transport.connect(id);
    await conn.write('1808', '2a52', Uint8Array.of(0x01, 0x01));
    await expect(conn.write('1808', '2a52', new Uint8Array(21))).rejects.toMatchObject({
      code: 'value_too_long',
    });
    expect(f.bluez.writes.map((w) => w.type)).toEqual(['request']);
    await conn.disconnect();
  });
});
