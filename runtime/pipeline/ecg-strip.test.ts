import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DRIVERS } from '../../ble-devices/drivers/catalogue.ts';
import { polarEcgDriver } from '../../ble-devices/drivers/polar-ecg.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { createSimPolarH10, type SimPolarH10Options } from '../../sim/instruments/polar-h10.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { tempStores } from '../../store/test-fixtures.ts';
import type { KitEvent } from '../events.ts';
import { InstrumentManager } from '../instruments/instrument-manager.ts';
import { LiveBus } from '../live-bus.ts';
import { createLogger } from '../log.ts';
import { MeasurementPipeline } from './pipeline.ts';
import { decodeEcgStrip, EcgStripError, encodeEcgStrip, type EcgStrip } from './ecg-strip-format.ts';
import { EcgStripRecorder, readEcgStrip } from './ecg-strip.ts';

// A simulated H10 (GATT level, SimTransport) -> the ECG driver -> the measurement pipeline ->
// the strip recorder -> a real encrypted store in a temp dir, and back. Device time runs 20x
// faster than the wall clock, so a 30 s strip records in about 1.5 s.

const temp = tempStores();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

async function rig(options: Partial<SimPolarH10Options> = {}) {
  const store = await temp.open();
  const sim = createSimPolarH10({ id: 'h10-strip', timeScale: 20, keepSent: true, seed: 4, ...options });
  const transport = new SimTransport([sim.peripheral]);
  stops.push(async () => {
    sim.stop();
    await transport.close();
  });
  const pipeline = new MeasurementPipeline(
    store,
    new LiveBus<KitEvent>(),
    () => ({ visitId: 'v-1', patientId: 'p-1' }),
    createLogger('silent'),
  );
  const recorder = new EcgStripRecorder(store);
  pipeline.onWaveform(recorder.accept);
  const [device] = await transport.scan({ timeoutMs: 100 });
  const conn = await transport.connect(asDeviceId('h10-strip'));
  const start = () =>
    polarEcgDriver.start(conn, device!, pipeline, { utcOffsetMinutes: 180, now: () => new Date() });
  return { store, sim, pipeline, recorder, start, conn };
}

/** The samples sent, with the strip's gaps cut out: what a sample-exact strip must hold. */
function expectedSamples(sent: Int32Array, strip: EcgStrip): number[] {
  const out: number[] = [];
  let at = 0;
  let gap = 0;
  while (out.length < strip.samples.length) {
    const g = strip.gaps[gap];
    if (g && g.atSample === out.length) {
      at += g.missing;
      gap++;
      continue;
    }
    out.push(sent[at++]!);
  }
  return out;
}

describe('ECG strip recorder', () => {
  it('stores a 30 s simulated strip as a deflated blob on the visit and reads it back sample-exact', async () => {
    const r = await rig();
    const recording = r.recorder.record({
      deviceId: 'h10-strip',
      durationS: 30,
      visitId: 'v-1',
      patientId: 'p-1',
    });
    const startedAt = Date.now();
    await r.start();
    const { attachment, strip } = await recording;
    expect(strip.samples.length).toBe(30 * 130);
    expect(strip).toMatchObject({ rateHz: 130, unit: 'uV', gaps: [], endReason: 'complete' });
    expect(attachment).toMatchObject({
      kind: 'ecg',
      compression: 'deflate',
      visitId: 'v-1',
      patientId: 'p-1',
    });
    expect(attachment.storedBytes).toBeLessThan(attachment.size / 2);
    const back = await readEcgStrip(r.store, attachment.id);
    expect([...back.samples]).toEqual([...r.sim.sentSamples().subarray(0, 3900)]);
    expect(back.device).toEqual({ id: 'h10-strip', name: 'Polar H10 SIM0001', profile: 'polar-ecg' });
    // The strap's clock was at its 2019 default: the strip starts at the kit's time, offset kept.
    expect(back.clock.state).toBe('default');
    expect(back.clock.offsetMs).toBeGreaterThan(5 * 365 * 86_400_000);
    const startMs = Number(back.startUnixNs / 1_000_000n);
    expect(Math.abs(startMs - startedAt)).toBeLessThan(3000);
    expect((await r.store.attachmentsByVisit('v-1')).map((a) => a.id)).toEqual([attachment.id]);
    expect(r.pipeline.stats.waveformChunks).toBeGreaterThanOrEqual(Math.ceil(3900 / 73));
  });

  it('records through the instrument manager, as the kit runs it (driver picked from the catalogue)', async () => {
    const r = await rig();
    const manager = new InstrumentManager({
      transport: new SimTransport([r.sim.peripheral]),
      drivers: DRIVERS,
      sink: r.pipeline,
      bus: new LiveBus<KitEvent>(),
      log: createLogger('silent'),
      context: { utcOffsetMinutes: 180, now: () => new Date() },
      reconnectDelayMs: 100,
    });
    stops.push(() => manager.stop());
    await r.conn.disconnect();
    const recording = r.recorder.record({
      deviceId: 'h10-strip',
      durationS: 10,
      visitId: 'v-2',
      patientId: null,
    });
    await manager.start();
    const { attachment } = await recording;
    expect(manager.list()).toMatchObject([{ id: 'h10-strip', profile: 'polar-ecg' }]);
    const back = await readEcgStrip(r.store, attachment.id);
    expect([...back.samples]).toEqual([...r.sim.sentSamples().subarray(0, 1300)]);
  });

  it('records lost notifications as gaps, never as invented samples', async () => {
    const faults = { dropRate: 0 };
    const r = await rig({ faults });
    const recording = r.recorder.record({
      deviceId: 'h10-strip',
      durationS: 10,
      visitId: 'v-1',
      patientId: null,
    });
    await r.start();
    faults.dropRate = 0.25;
    const { attachment } = await recording;
    const back = await readEcgStrip(r.store, attachment.id);
    expect(back.gaps.length).toBeGreaterThan(0);
    const missing = back.gaps.reduce((n, g) => n + g.missing, 0);
    expect(back.samples.length + missing).toBe(1300);
    expect([...back.samples]).toEqual(expectedSamples(r.sim.sentSamples(), back));
  });

  it('keeps what was recorded when the strip is stopped early or the signal stops', async () => {
    const r = await rig();
    const ac = new AbortController();
    const recording = r.recorder.record({
      deviceId: 'h10-strip',
      durationS: 60,
      visitId: 'v-1',
      patientId: null,
      signal: ac.signal,
    });
    await r.start();
    await new Promise((res) => setTimeout(res, 400));
    ac.abort();
    const stopped = await recording;
    expect(stopped.strip.endReason).toBe('stopped');
    expect(stopped.strip.samples.length).toBeGreaterThan(0);
    const back = await readEcgStrip(r.store, stopped.attachment.id);
    expect([...back.samples]).toEqual([...r.sim.sentSamples().subarray(0, back.samples.length)]);
    const stalled = r.recorder.record({
      deviceId: 'h10-strip',
      durationS: 60,
      visitId: 'v-1',
      patientId: null,
      stallMs: 300,
    });
    await new Promise((res) => setTimeout(res, 200));
    await r.conn.disconnect();
    expect((await stalled).strip.endReason).toBe('stalled');
    await expect(
      r.recorder.record({
        deviceId: 'h10-strip',
        durationS: 5,
        visitId: null,
        patientId: null,
        stallMs: 100,
      }),
    ).rejects.toMatchObject({ code: 'no_signal' });
  });

  it('refuses bytes that are not a strip with a typed error, at every cut and on random input', () => {
    const strip: EcgStrip = {
      startUnixNs: 1_767_225_600_000_000_000n,
      rateHz: 130,
      unit: 'uV',
      samples: Int32Array.from([1, -2, 3000, -400000]),
      gaps: [{ atSample: 2, missing: 73 }],
      device: { id: 'x', name: 'Polar H10', profile: 'polar-ecg' },
      clock: { state: 'default', offsetMs: 1 },
      codec: 'pmd_ecg_data',
      codecVersion: '1.0.0',
      endReason: 'complete',
    };
    const bytes = encodeEcgStrip(strip);
    expect(decodeEcgStrip(bytes)).toEqual(strip);
    for (let cut = 0; cut < bytes.length; cut++) {
      expect(() => decodeEcgStrip(bytes.subarray(0, cut))).toThrow(EcgStripError);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          decodeEcgStrip(b);
        } catch (err) {
          expect(err).toBeInstanceOf(EcgStripError);
        }
      }),
    );
  });
});
