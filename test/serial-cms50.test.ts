import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { contecCms50Driver } from '../ble-devices/drivers/contec-cms50.ts';
import type { DroppedFrame, Reading } from '../ble-devices/drivers/driver.ts';
import { CODES } from '../ble-devices/observations/codes.ts';
import { asDeviceId, TransportError } from '../ble-devices/transport.ts';
import type { PortChange } from '../ble-devices/transports/serial/port-watcher.ts';
import {
  SerialTransport,
  type SerialTransportOptions,
} from '../ble-devices/transports/serial/serial-transport.ts';
import type { SimCms50Options } from '../sim/serial/cms50-device.ts';
import { Cms50Sim, cp2102ById } from '../sim/serial/cms50-sim.ts';

// Everything here runs on real ptys (socat) through serialport's native binding: the simulated
// CMS50 writes the bytes our encoders make, the transport reads them as it would a CP2102 cable.

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fk-cms50-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function startSim(options: SimCms50Options, dir = tempDir(), name?: string): Promise<Cms50Sim> {
  const sim = await Cms50Sim.start(options, { dir, ...(name ? { name } : {}) });
  cleanup.push(() => sim.stop());
  return sim;
}

function transportFor(options: SerialTransportOptions): SerialTransport {
  const t = new SerialTransport({ list: () => Promise.resolve([]), ...options });
  cleanup.push(() => t.close());
  return t;
}

async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function collector() {
  const readings: Reading[] = [];
  const dropped: DroppedFrame[] = [];
  return {
    readings,
    dropped,
    sink: { reading: (r: Reading) => readings.push(r), dropped: (f: DroppedFrame) => dropped.push(f) },
  };
}

const ctx = { utcOffsetMinutes: 180, now: () => new Date() };

describe('CMS50 over USB serial (simulated on ptys)', () => {
  it.each([
    ['5byte', 'Contec CMS50 (5-byte stream)'],
    ['v7', 'Contec CMS50 (9-byte protocol)'],
  ] as const)(
    '%s: found by a scan that tries 9-byte first, and read as SpO2 and pulse rate',
    async (protocol, name) => {
      const sim = await startSim({ protocol, seed: 7 });
      const transport = transportFor({ paths: [sim.kitPath], probeWindowMs: 1200 });
      // The scan's own bound leaves room for both settings' probes to stretch on a starved kit
      // (each up to PROBE_MAX_STRETCH windows: see probe.ts), which is when this flaked.
      const found = await transport.scan({ timeoutMs: 10_000 });
      expect(found).toEqual([{ id: sim.kitPath, name, services: ['5e71a100-c0de-4c50-8000-000000000000'] }]);
      const conn = await transport.connect(found[0]!.id);
      const c = collector();
      await contecCms50Driver.start(conn, found[0]!, c.sink, ctx);
      // v7 reports PR/SpO2 "not yet valid" for its first 2 s: wait for readings that carry values.
      await until(
        () => c.readings.filter((r) => r.observations.length === 2).length >= 2,
        8000,
        'two oximetry readings',
      );
      const r = c.readings.find((x) => x.observations.length === 2)!;
      expect(r.codec).toBe(protocol === 'v7' ? 'contec_live_9byte' : 'contec_live_5byte');
      const [spo2, pr] = r.observations;
      expect(spo2!.code.loinc).toBe(CODES.spo2.loinc);
      expect(spo2!.value).toMatchObject({ kind: 'quantity', unit: '%' });
      expect((spo2!.value as { value: number }).value).toBeGreaterThanOrEqual(90);
      expect(pr!.code).toEqual(CODES.heartRateOximeter);
      expect(c.dropped).toEqual([]);
      // One reading per second, not one per frame: 60 frames/s arrive.
      const counters = transport.ports()[0]!.counters;
      expect(counters.frames).toBeGreaterThan(c.readings.length * 20);
      await conn.disconnect();
    },
  );

  it('survives and counts noise and partial packets', async () => {
    const sim = await startSim({ protocol: '5byte', seed: 11, faults: { noiseRate: 0.3, partialRate: 0.1 } });
    const transport = transportFor({ paths: [sim.kitPath], generations: ['5byte'] });
    const conn = await transport.connect(asDeviceId(sim.kitPath));
    const c = collector();
    await contecCms50Driver.start(conn, { id: conn.id, name: 'cms50', services: [] }, c.sink, ctx);
    await until(() => c.readings.length >= 2, 6000, 'readings through the noise');
    const counters = transport.ports()[0]!.counters;
    expect(counters.noiseBytes).toBeGreaterThan(0);
    expect(counters.badFrames).toBeGreaterThan(0);
    expect(counters.frames).toBeGreaterThan(30);
    expect(sim.device!.stats.noiseBytes).toBeGreaterThan(0);
    expect(sim.device!.stats.partialFrames).toBeGreaterThan(0);
    expect(c.dropped).toEqual([]);
  });

  it('counts a pulled cable and reconnects once it is plugged in again', async () => {
    const sim = await startSim({ protocol: 'v7', seed: 5 });
    const transport = transportFor({ paths: [sim.kitPath], generations: ['9byte'] });
    const id = asDeviceId(sim.kitPath);
    const first = await transport.connect(id);
    const reasons: string[] = [];
    first.onDisconnect((r) => reasons.push(r));
    await sim.pullCable();
    await until(() => reasons.length === 1, 3000, 'link loss');
    expect(reasons[0]).toMatch(/cable pulled/);
    await expect(transport.connect(id)).rejects.toMatchObject({ code: 'not_found' });
    await sim.plugIn();
    const second = await transport.connect(id);
    const c = collector();
    await contecCms50Driver.start(second, { id, name: 'cms50', services: [] }, c.sink, ctx);
    await until(() => c.readings.length >= 1, 5000, 'readings after the replug');
    expect(transport.ports()[0]!.counters).toMatchObject({ linkLosses: 1, connects: 2 });
  });

  it('notices a new port in the by-id folder and finds the oximeter on it', async () => {
    const byId = join(tempDir(), 'by-id');
    mkdirSync(byId);
    const transport = transportFor({ auto: true, byIdDir: byId, generations: ['5byte', '9byte'] });
    const watcher = transport.watcher(100);
    const changes: PortChange[] = [];
    watcher.onChange((c) => changes.push(c));
    watcher.start();
    cleanup.push(() => watcher.stop());
    await new Promise((r) => setTimeout(r, 250));
    expect(changes).toEqual([]);
    const sim = await startSim({ protocol: '5byte' }, byId, cp2102ById('0001'));
    await until(() => changes.length === 1, 3000, 'the new port noticed');
    expect(changes[0]!.added.map((p) => [p.id, p.match?.fingerprint])).toEqual([[sim.kitPath, 'cp210x']]);
    const found = await transport.scan({ timeoutMs: 5000 });
    expect(found.map((d) => d.id)).toEqual([sim.kitPath]);
    await sim.pullCable();
    await until(() => changes.length === 2, 3000, 'the port removed');
    expect(changes[1]!.removed.map((p) => p.id)).toEqual([sim.kitPath]);
  });

  it('does not report a cable with no oximeter as an instrument', async () => {
    const byId = join(tempDir(), 'by-id');
    mkdirSync(byId);
    const sim = await startSim({ protocol: '5byte', faults: { noDevice: true } }, byId);
    const transport = transportFor({ auto: true, byIdDir: byId, probeWindowMs: 400 });
    expect(await transport.scan({ timeoutMs: 3000 })).toEqual([]);
    expect(transport.ports()).toMatchObject([
      { id: sim.kitPath, state: 'silent', fingerprint: { fingerprint: 'cp210x' } },
    ]);
    const err = await transport.connect(asDeviceId(sim.kitPath)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('not_found');
    expect((err as TransportError).message).toMatch(/cable with no oximeter/);
  });

  it('reports a baud-rate mismatch as unreadable, not as an instrument, and counts the garbage', async () => {
    const sim = await startSim({ protocol: '5byte', faults: { baudRate: 38400 } });
    const transport = transportFor({ paths: [sim.kitPath], probeWindowMs: 600 });
    expect(await transport.scan({ timeoutMs: 3000 })).toEqual([]);
    const [port] = transport.ports();
    expect(port).toMatchObject({ state: 'unreadable' });
    // Garbage makes a lone 5-byte "frame" now and then (1 in 32 positions); never four in a row.
    expect(port!.counters.droppedBytes).toBeGreaterThan(50);
    expect(port!.counters.frames * 5).toBeLessThan(port!.counters.droppedBytes / 2);
    expect(sim.device!.stats.garbledWrites).toBeGreaterThan(0);
  });

  it('v7: keep-alives keep the stream going; when the device stops hearing them it stops and is restarted', async () => {
    // The healthy device would stop after 3 s without a keep-alive (the kit sends one every
    // 250 ms); the lossy one never hears them and stops after 700 ms. The healthy link's stall
    // limit is long so that a loaded test machine's pauses are not taken for a stopped stream.
    const healthy = await startSim({ protocol: 'v7', keepAliveTimeoutMs: 3000 });
    const lossy = await startSim({
      protocol: 'v7',
      keepAliveTimeoutMs: 700,
      faults: { keepAliveLoss: true },
    });
    const t1 = transportFor({
      paths: [healthy.kitPath],
      generations: ['9byte'],
      keepAliveMs: 250,
      stallMs: 5000,
    });
    const t2 = transportFor({
      paths: [lossy.kitPath],
      generations: ['9byte'],
      keepAliveMs: 250,
      stallMs: 500,
    });
    await t1.connect(asDeviceId(healthy.kitPath));
    await t2.connect(asDeviceId(lossy.kitPath));
    const lossyCounters = () => t2.ports()[0]!.counters;
    await until(
      () => lossy.device!.stats.streamStops >= 1 && lossyCounters().streamRestarts >= 1,
      8000,
      'the lossy device to stop and the transport to restart it',
    );
    expect(lossy.device!.stats.keepAlivesIgnored).toBeGreaterThan(0);
    // Restarted, the device streams again: frames keep arriving after the restart.
    const framesBefore = lossyCounters().frames;
    await until(() => lossyCounters().frames > framesBefore, 3000, 'frames after a restart');
    // Meanwhile the healthy link, kept alive, never stopped and never needed a restart.
    await until(() => t1.ports()[0]!.counters.keepAlivesSent >= 14, 8000, 'fourteen keep-alives (3.5 s)');
    expect(healthy.device!.stats).toMatchObject({ streamStops: 0 });
    expect(t1.ports()[0]!.counters.streamRestarts).toBe(0);
    expect(healthy.device!.stats.commands.keep_alive).toBeGreaterThanOrEqual(4);
  });
});
