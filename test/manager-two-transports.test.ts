import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../ble-devices/drivers/catalogue.ts';
import { TransportError, type Transport } from '../ble-devices/transport.ts';
import { SerialTransport } from '../ble-devices/transports/serial/serial-transport.ts';
import { CODES } from '../ble-devices/observations/codes.ts';
import { InstrumentManager } from '../runtime/instruments/instrument-manager.ts';
import { createLogger } from '../runtime/log.ts';
import { createSimGlucoseMeter } from '../sim/instruments/glucose-meter.ts';
import { createSimThermometer } from '../sim/instruments/thermometer.ts';
import { Cms50Sim } from '../sim/serial/cms50-sim.ts';
import { SimTransport } from '../sim/transport/sim-transport.ts';
import { managerRig, until, type Rig } from './helpers/manager-rig.ts';

// The manager driving two transports at once, as a kit with BLE and a USB cable does: the GATT
// simulators behind SimTransport, and a CMS50 on a real socat pty behind the serial transport
// (serialport's native binding), into one real encrypted store.

const cleanup: Array<() => Promise<void> | void> = [];
let rig: Rig | undefined;
afterEach(async () => {
  await rig?.teardown();
  rig = undefined;
  while (cleanup.length > 0) await cleanup.pop()!();
});

/** A transport whose scans always fail (a radio switched off), around a working one. */
function failingScan(inner: Transport, kind: Transport['kind']): Transport {
  return {
    kind,
    scan: () => Promise.reject(new TransportError('unavailable', `${kind} adapter is off`)),
    connect: (id, signal) => inner.connect(id, signal),
    close: () => inner.close(),
  };
}

describe('instrument manager over several transports', () => {
  it('keeps a BLE meter and a USB oximeter connected together, each through its own transport', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-two-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const cms50 = await Cms50Sim.start({ protocol: '5byte', seed: 5 }, { dir });
    cleanup.push(() => cms50.stop());
    const serial = new SerialTransport({ paths: [cms50.kitPath], list: () => Promise.resolve([]) });
    const meter = createSimGlucoseMeter({ id: 'glu-two', records: 5, seed: 2, utcOffsetMinutes: 180 });
    rig = await managerRig({
      instruments: [meter],
      manager: { transports: [serial], scanTimeoutMs: 6000 },
    });
    const r = rig;
    expect(
      r.manager
        .list()
        .map((s) => [s.id, s.transport, s.profile])
        .sort(),
    ).toEqual([
      [cms50.kitPath, 'serial', 'contec-cms50'],
      ['glu-two', 'sim', 'glucose'],
    ]);
    await until(() => r.status('glu-two').lastSequence === 5, 'RACP download');
    await until(() => r.status(cms50.kitPath).readings >= 2, 'CMS50 readings');
    const stored = await r.stored();
    expect(stored.filter((o) => o.code.loinc === '41653-7').length).toBe(5);
    const spo2 = stored.filter((o) => o.provenance.deviceId === cms50.kitPath);
    expect(spo2.length).toBeGreaterThanOrEqual(2);
    expect(spo2.map((o) => o.code.loinc)).toContain(CODES.spo2.loinc);
    expect((await r.store.listInstruments()).map((i) => [i.address, i.transport]).sort()).toEqual([
      [cms50.kitPath, 'serial'],
      ['glu-two', 'sim'],
    ]);
    // A restart links both again from the store, each on its own transport.
    await r.restart();
    await until(() => r.manager.list().every((s) => s.state === 'connected'), 'both reconnected');
    expect(r.manager.list().length).toBe(2);
  });

  it('a scan that fails on one transport still finds what the others see; all failing is an error', async () => {
    const thermo = createSimThermometer({ id: 'thermo-two', intervalMs: 3_600_000 });
    const sim = new SimTransport([thermo.peripheral]);
    const off = failingScan(new SimTransport([]), 'node-ble');
    rig = await managerRig({
      instruments: [thermo],
      transport: sim,
      autoRemember: false,
      manager: { transports: [off] },
    });
    const found = await rig.manager.scan(200);
    expect(found.map((d) => [d.id, d.transport])).toEqual([['thermo-two', 'sim']]);
    await rig.manager.remember('thermo-two');
    expect(rig.status('thermo-two').transport).toBe('sim');
    const options = {
      drivers: DRIVERS,
      sink: rig.pipeline,
      store: rig.store,
      bus: rig.bus,
      log: createLogger('silent'),
      context: { utcOffsetMinutes: 180, now: () => new Date() },
      reconnectDelayMs: 20,
    };
    const alone = new InstrumentManager({ ...options, transport: off });
    await expect(alone.scan(200)).rejects.toMatchObject({ code: 'unavailable' });
    await alone.stop();
    // The same transport given twice is one; two of a kind cannot say which reaches an instrument.
    expect(() => new InstrumentManager({ ...options, transport: sim, transports: [sim] })).not.toThrow();
    expect(() => new InstrumentManager({ ...options, transports: [sim, new SimTransport([])] })).toThrow(
      /one transport per kind/,
    );
    expect(() => new InstrumentManager({ ...options })).toThrow(/needs a transport/);
  });
});
