import { afterEach, describe, expect, it } from 'vitest';
import { NodeBleTransport } from '../ble-devices/transports/node-ble/index.ts';
import { parseKitConfig } from '../runtime/config.ts';
import type { KitEvent } from '../runtime/events.ts';
import { startKit, type KitHandle, type KitStore } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import { startSimulatedBluez, type SimulatedBluez } from '../sim/bluez/index.ts';
import { createSimBpMonitor } from '../sim/instruments/bp-monitor.ts';
import type { SimInstrument } from '../sim/instruments/sim-instrument.ts';
import { openStore } from '../store/index.ts';
import { KitClient, pairTablet } from './helpers/kit-client.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';

const BP_LOINC = '85354-9';

/**
 * The kit as a brigade uses it, through the real node-ble transport and a simulated BlueZ that
 * bluetoothctl accepts: discover, pair with the passkey the cuff shows, connect, store a BP
 * indication, reconnect after a drop; and D-Bus faults (bluetoothd restarting under a new owner,
 * dbus-daemon killed) that neither crash the kit nor lose a stored reading.
 * Steps 5, 6 and 8 of the flow (RACP download, only-new on reconnect, clock set) need
 * the manager's glucose simulator and RACP/clock features and are added when they land.
 */
describe('flow through node-ble and the simulated BlueZ', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function boot(): Promise<{
    kit: KitHandle;
    store: KitStore;
    sim: SimulatedBluez;
    cuff: SimInstrument;
    events: KitEvent[];
    stored: () => Promise<number>;
    storedIds: () => Promise<Set<string>>;
  }> {
    const { dir, cleanup } = tempDir();
    cleanups.push(() => Promise.resolve(cleanup()));
    const cuff = createSimBpMonitor({
      id: 'flow-bp',
      intervalMs: 250,
      inflationSteps: 2,
      stepMs: 20,
      utcOffsetMinutes: 180,
    });
    cuff.start();
    const sim = await startSimulatedBluez({
      // An Omron-like cuff: passkey entry, measurements only over a bonded link.
      devices: [{ peripheral: cuff.peripheral, pairing: 'passkey-entry', encryptedServices: ['1810'] }],
      connectMs: 5,
      resolveMs: 5,
    });
    cleanups.push(async () => {
      cuff.stop();
      await sim.stop();
    });
    const store = await openStore({ path: dir, passphrase: 'flow passphrase 42', kdf: TEST_KDF });
    const transport = new NodeBleTransport({
      busAddress: sim.address,
      timeouts: { callMs: 2000, connectMs: 2000, resolveMs: 2000 },
    });
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      sim: { enabled: false },
      utcOffsetMinutes: 180,
      reconnectDelayMs: 50,
      logLevel: 'silent',
    });
    const kit = await startKit(config, store, createLogger('silent'), 'test', { transport });
    cleanups.push(async () => {
      await kit.stop();
      await store.close();
    });
    const events: KitEvent[] = [];
    kit.bus.subscribe((e) => events.push(e));
    const stored = async (): Promise<number> =>
      (await store.recentObservations(1000)).filter((o) => o.code.loinc === BP_LOINC).length;
    const storedIds = async (): Promise<Set<string>> =>
      new Set((await store.recentObservations(1000)).map((o) => o.id));
    return { kit, store, sim, cuff, events, stored, storedIds };
  }

  it('discover, pair with a passkey, connect, store a BP indication, reconnect after a drop', async () => {
    const { kit, sim, events, stored } = await boot();
    const device = sim.bluez.device('flow-bp')!;
    let passkey = -1;
    sim.bluez.onEvent((e) => {
      if (e.type === 'passkey') passkey = e.passkey;
    });

    // 1. discover
    const found = await kit.pairing.discover(50);
    const cuff = found.find((d) => d.id === device.address)!;
    expect(cuff.services).toContain('1810');

    // 2. pair with a passkey (asked as a live event, answered through the API)
    const session = kit.pairing.start(cuff);
    await expect
      .poll(() => events.some((e) => e.type === 'pairing' && e.session.state === 'waiting-for-answer'))
      .toBe(true);
    expect(kit.pairing.answer(session.id, passkey)).toEqual({ ok: true });
    expect((await kit.pairing.settled(session.id)).state).toBe('bonded');

    // 3. connect (the manager keeps trying; the bond lets the subscription through)
    await expect
      .poll(() => kit.instruments.list().find((s) => s.id === device.address)?.state, { timeout: 10_000 })
      .toBe('connected');

    // 4. store a BP indication: committed before it is announced, readable from the store
    await expect.poll(stored, { timeout: 10_000 }).toBeGreaterThan(0);
    const announced = events.flatMap((e) => (e.type === 'observations' ? e.records : []));
    expect(announced.some((r) => r.code.loinc === BP_LOINC)).toBe(true);

    // 7. reconnect after a drop
    const before = await stored();
    device.dropLink('walked out of range');
    await expect
      .poll(() => events.some((e) => e.type === 'instrument' && e.status.state === 'disconnected'))
      .toBe(true);
    await expect
      .poll(() => kit.instruments.list().find((s) => s.id === device.address)?.state, { timeout: 10_000 })
      .toBe('connected');
    await expect.poll(stored, { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it('garbage, a drop mid-indication, bluetoothd restarting and dbus-daemon killed: no crash, nothing stored is lost', async () => {
    const { kit, store, sim, cuff, events, stored, storedIds } = await boot();
    const device = sim.bluez.device('flow-bp')!;
    let passkey = -1;
    sim.bluez.onEvent((e) => {
      if (e.type === 'passkey') passkey = e.passkey;
    });
    const found = await kit.pairing.discover(50);
    const s = kit.pairing.start(found.find((d) => d.id === device.address)!);
    await expect.poll(() => passkey).toBeGreaterThanOrEqual(0);
    await expect.poll(() => kit.pairing.answer(s.id, passkey).ok).toBe(true);
    await kit.pairing.settled(s.id);
    await expect.poll(stored, { timeout: 10_000 }).toBeGreaterThan(0);

    // Garbage on the measurement characteristic: refused, counted, announced; the link stays.
    cuff.peripheral.emit('1810', '2a35', Uint8Array.of(0xff, 0x01));
    await expect.poll(() => events.some((e) => e.type === 'dropped')).toBe(true);
    // The cuff disappears in the middle of an indication.
    device.faults.dropAfter = { characteristic: '2a35', count: 1 };
    await expect
      .poll(() => events.some((e) => e.type === 'instrument' && e.status.state === 'disconnected'), {
        timeout: 10_000,
      })
      .toBe(true);
    const afterDrop = await stored();
    await expect.poll(stored, { timeout: 10_000 }).toBeGreaterThan(afterDrop);

    // bluetoothd restarts under a new bus owner; the bonded cuff comes back by itself.
    const beforeRestart = await stored();
    await sim.bluez.restart();
    await expect.poll(stored, { timeout: 15_000 }).toBeGreaterThan(beforeRestart);

    // dbus-daemon is killed: the kit keeps running; everything stored is still there.
    const beforeKill = await stored();
    sim.bus.kill();
    await new Promise((r) => setTimeout(r, 300));
    expect(await stored()).toBeGreaterThanOrEqual(beforeKill);
    const client = new KitClient(kit.url, kit.caPem);
    const res = await client.request('/api/observations?limit=500', {
      token: await pairTablet(client, store),
    });
    expect(res.status).toBe(200);
    // ... and once the bus and bluetoothd are back, readings flow again.
    await sim.bus.restart();
    await sim.bluez.restart();
    await expect.poll(stored, { timeout: 15_000 }).toBeGreaterThan(beforeKill);
    // Every observation ever announced (announced means committed) is still in the store.
    const announced = events.flatMap((e) => (e.type === 'observations' ? e.records.map((r) => r.id) : []));
    const ids = await storedIds();
    expect(announced.filter((id) => !ids.has(id))).toEqual([]);
  });
});
