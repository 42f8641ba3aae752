import { afterEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../../ble-devices/drivers/catalogue.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { openStore } from '../../store/index.ts';
import { TEST_KDF } from '../../store/testing.ts';
import type { KitEvent } from '../events.ts';
import { LiveBus } from '../live-bus.ts';
import { createLogger } from '../log.ts';
import { MeasurementPipeline } from '../pipeline/pipeline.ts';
import { until } from '../../test/helpers/until.ts';
import { InstrumentManager } from './instrument-manager.ts';
import { tempStores } from '../../store/test-fixtures.ts';

const temp = tempStores();

describe('instrument manager and pipeline on a flaky simulated link (real store)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function rig(instruments: SimInstrument[]) {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'manager-test', kdf: TEST_KDF });
    cleanups.push(() => store.close());
    const bus = new LiveBus<KitEvent>();
    const events: KitEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const log = createLogger('silent');
    const pipeline = new MeasurementPipeline(store, bus, () => ({ visitId: 'v-1', patientId: null }), log);
    const transport = new SimTransport(instruments.map((i) => i.peripheral));
    const manager = new InstrumentManager({
      transport,
      drivers: DRIVERS,
      sink: pipeline,
      bus,
      log,
      context: { utcOffsetMinutes: 0, now: () => new Date() },
      reconnectDelayMs: 20,
    });
    for (const i of instruments) i.start();
    cleanups.push(async () => {
      instruments.forEach((i) => i.stop());
      await manager.stop();
      await pipeline.drain();
    });
    await manager.start();
    return { store, events, pipeline, manager };
  }

  it('counts corrupted frames as dropped, stores the rest, and reconnects after link loss', async () => {
    const oximeter = createSimPulseOximeter({
      id: 'plx-flaky',
      rateHz: 60,
      seed: 3,
      faults: { corruptRate: 0.2, disconnectAfter: 15 },
    });
    const { store, events, pipeline, manager } = await rig([oximeter]);
    await until(() => pipeline.stats.stored >= 40 && pipeline.stats.dropped >= 2);
    const status = manager.list()[0]!;
    expect(status.dropped).toBeGreaterThanOrEqual(2);
    expect(status.lastError).toMatch(/truncated/);
    // The link dropped once after 15 notifications and came back.
    const states = events.flatMap((e) => (e.type === 'instrument' ? [e.status.state] : []));
    expect(states).toContain('disconnected');
    expect(states.lastIndexOf('connected')).toBeGreaterThan(states.indexOf('disconnected'));
    // Every announced observation is in the store, tagged with the visit.
    await pipeline.drain();
    const stored = await store.observationsByVisit('v-1');
    const announced = events.flatMap((e) => (e.type === 'observations' ? e.records : []));
    expect(stored.length).toBeGreaterThanOrEqual(announced.length);
    const ids = new Set(stored.map((r) => r.id));
    for (const r of announced) expect(ids.has(r.id)).toBe(true);
    expect(announced[0]!.provenance.codec).toBe('plx_continuous_measurement');
  });

  it('survives repeated link loss without accumulating listeners', async () => {
    const oximeter = createSimPulseOximeter({ id: 'plx-cycled', rateHz: 50, seed: 4 });
    const { pipeline, manager } = await rig([oximeter]);
    for (let i = 0; i < 6; i++) {
      await until(() => manager.list()[0]!.state === 'connected');
      const before = pipeline.stats.received;
      await until(() => pipeline.stats.received > before);
      oximeter.peripheral.detach('test: walked out of range');
      await until(() => manager.list()[0]!.state !== 'connected');
    }
    await until(() => manager.list()[0]!.state === 'connected');
    // One listener for the live connection's own bookkeeping, one for the manager's link-loss wait.
    expect(oximeter.peripheral.detachListenerCount).toBeLessThanOrEqual(2);
  });

  it('shows cuff pressure as previews that are never stored, then stores one BP panel with pulse', async () => {
    const cuff = createSimBpMonitor({ id: 'bp-1', intervalMs: 1000, stepMs: 20, inflationSteps: 4, seed: 5 });
    const { store, events, pipeline } = await rig([cuff]);
    await until(() => events.some((e) => e.type === 'observations'));
    await pipeline.drain();
    const previews = events.filter((e) => e.type === 'preview');
    expect(previews.length).toBeGreaterThanOrEqual(4);
    const stored = await store.recentObservations(10);
    expect(stored.map((r) => r.code.loinc).sort()).toEqual(['85354-9', '8867-4']);
    expect(stored.every((r) => r.provenance.codec === 'blood_pressure_measurement')).toBe(true);
  });
});
