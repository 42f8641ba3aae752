import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageBus } from 'dbus-next';
import { asDeviceId, type DeviceId } from '../../ble-devices/transport.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import {
  bluezFixture,
  daemonMatchRules,
  rawClient,
  type BluezFixture,
} from '../../test/helpers/bluez-fixture.ts';
import { managerRig, until, type Rig } from '../../test/helpers/manager-rig.ts';

/**
 * Memory after a full garbage collection (V8's gc, exposed at run time for this measurement): the
 * JS heap, RSS, and RSS's anonymous part (RssAnon: without the pages of the store's LMDB file
 * mapped in, which grow with every reading stored and are the store's data, not a leak).
 */
function memory(): { heap: number; rss: number; rssAnon: number } {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const m = process.memoryUsage();
  const anon = /^RssAnon:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return { heap: m.heapUsed, rss: m.rss, rssAnon: Number(anon?.[1] ?? Number.NaN) * 1024 };
}

/** The process's active handles and requests by kind (sockets, timers, fs requests...). */
function handlesNow(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) out[kind] = (out[kind] ?? 0) + 1;
  return out;
}

/**
 * The handles that stay: the least of each kind over 10 looks 20 ms apart. Readings keep
 * streaming, so a commit's setImmediate or a GATT spacing timer may be pending at any one look;
 * a leaked handle is there at every look.
 */
async function handles(): Promise<Record<string, number>> {
  const looks: Array<Record<string, number>> = [];
  for (let i = 0; i < 10; i++) {
    looks.push(handlesNow());
    await new Promise((r) => setTimeout(r, 20));
  }
  const kinds = new Set(looks.flatMap((l) => Object.keys(l)));
  const out: Record<string, number> = {};
  for (const kind of [...kinds].sort()) {
    const least = Math.min(...looks.map((l) => l[kind] ?? 0));
    if (least > 0) out[kind] = least;
  }
  return out;
}

/**
 * The acceptance "after 100 reconnect cycles there is no growth in listeners, D-Bus match rules
 * or handles, and RSS stays flat", through the whole instrument path the kit runs: the instrument
 * manager's link loop (backoff, paced GATT queue, Device Information, battery, clock, driver,
 * reading gate, pipeline, encrypted store) over the real node-ble transport and the simulated
 * BlueZ on a private dbus-daemon. The cycles end three ways: the instrument walks away (the link
 * drops on BlueZ's side), BlueZ itself reports the device disconnected, and the kit restarts its
 * manager (the kit's side disconnects; new links come up on the same transport). Each cycle ends
 * only when the instrument is connected again and a reading taken after the reconnect is stored.
 * Match rules are counted by the daemon itself (org.freedesktop.DBus.Debug.Stats).
 */
describe('100 reconnect cycles through the instrument manager and node-ble', () => {
  let f: BluezFixture;
  let oximeter: SimInstrument;
  let rig: Rig;
  let id: DeviceId;
  let judge: MessageBus;
  beforeAll(async () => {
    oximeter = createSimPulseOximeter({ id: 'cycler', rateHz: 25, seed: 5 });
    f = await bluezFixture({ devices: [{ peripheral: oximeter.peripheral }] });
    id = asDeviceId(f.bluez.devices[0]!.address);
    rig = await managerRig({ instruments: [oximeter], transport: f.transport });
    judge = await rawClient(f.bus.address);
    await until(() => rig.manager.list()[0]?.state === 'connected', 'the oximeter remembered and connected');
  });
  afterAll(async () => {
    judge.disconnect();
    await rig.teardown();
    await f.stop();
  });

  const stored = (): number => rig.pipeline.stats.stored;
  const status = () => rig.status(id);

  /** Drops the link one of three ways, then waits for the reconnect and a reading stored after it. */
  async function cycle(i: number): Promise<void> {
    const device = f.bluez.device(id)!;
    if (i % 10 === 9) {
      // The kit's side: the manager stops (disconnecting) and a new one starts on the same transport.
      await rig.restart();
    } else {
      const reconnects = status().reconnects;
      if (i % 2 === 0) oximeter.peripheral.detach('walked out of range');
      else device.dropLink('supervision timeout');
      await until(() => status().reconnects > reconnects, `cycle ${i}: reconnected`);
    }
    await until(() => status().state === 'connected', `cycle ${i}: connected`);
    const before = stored();
    await until(() => stored() > before, `cycle ${i}: a reading stored after the reconnect`);
  }

  async function counts(): Promise<Record<string, unknown>> {
    // The rig's log of every live event grows with each reading by design: not the kit's memory.
    rig.events.length = 0;
    // Let the manager's bookkeeping flush (flushMs 30 in the rig) so its timer is not counted mid-way.
    await new Promise((r) => setTimeout(r, 100));
    const d = await f.transport.diagnostics();
    return {
      matchRules: d.matchRules,
      daemonMatchRules: await daemonMatchRules(judge, d.busName!),
      signalListeners: d.signalListeners,
      entries: d.entries,
      entryListeners: d.entryListeners,
      links: d.links,
      // The test's own subscription (the rig's event log) is the one expected here.
      liveBusSubscribers: rig.bus.size,
      peripheralListeners: oximeter.peripheral.detachListenerCount,
      notifying: f.bluez.devices[0]!.gatt.notifyingCount,
      handles: await handles(),
    };
  }

  it('leaves listeners, match rules, handles and RSS where they were', async () => {
    for (let i = 0; i < 20; i++) await cycle(i); // warm-up: code optimised, caches filled
    const before = await counts();
    const memBefore = memory();
    let connects = 0;
    const off = rig.bus.subscribe((e) => {
      if (e.type === 'instrument' && e.status.id === id && e.status.state === 'connected') connects++;
    });
    for (let i = 20; i < 120; i++) await cycle(i);
    off();
    const after = await counts();
    const memAfter = memory();
    const mib = (n: number): string => (n / 2 ** 20).toFixed(1);
    console.info(
      `manager reconnect cycles: before ${JSON.stringify(before)} after ${JSON.stringify(after)}; after GC heap ${mib(memBefore.heap)} -> ${mib(memAfter.heap)} MiB, rss ${mib(memBefore.rss)} -> ${mib(memAfter.rss)} MiB (anonymous ${mib(memBefore.rssAnon)} -> ${mib(memAfter.rssAnon)} MiB)`,
    );
    // The cycles really went through the manager: it reported the instrument connected again each time.
    expect(connects).toBeGreaterThanOrEqual(100);
    expect(after).toEqual(before);
    expect(before.links).toBe(1);
    expect(before.daemonMatchRules as number).toBeLessThan(20);
    // Flat: a leaked link, proxy, listener, timer or abort signal per cycle would stay on the heap.
    expect(memAfter.heap - memBefore.heap).toBeLessThan(2 * 2 ** 20);
    // RSS also carries allocator slack the OS has not taken back; a per-cycle leak shows well above this.
    expect(memAfter.rss - memBefore.rss).toBeLessThan(32 * 2 ** 20);
  }, 180_000);
});
