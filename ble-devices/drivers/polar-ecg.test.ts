import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { PMD_DATA, PMD_SERVICE } from '../codecs/polar-pmd/pmd-tables.ts';
import { pmdEcgFrame } from '../codecs/polar-pmd/pmd-ecg-frame.ts';
import { createSimPolarH10, type SimPolarH10Options } from '../../sim/instruments/polar-h10.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { asDeviceId } from '../transport.ts';
import type { DroppedFrame, Reading, WaveformChunk } from './driver.ts';
import { createPolarEcgDriver, PmdCommandError, polarEcgDriver } from './polar-ecg.ts';
import { judgePmdClock } from './pmd-clock.ts';

// The H10 here is the GATT-level simulator behind SimTransport: every byte from our encoders.

async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
});

async function rig(options: Partial<SimPolarH10Options> = {}, utcOffsetMinutes = 180) {
  const sim = createSimPolarH10({ id: 'h10-test', timeScale: 10, keepSent: true, ...options });
  const transport = new SimTransport([sim.peripheral]);
  stops.push(async () => {
    sim.stop();
    await transport.close();
  });
  const [device] = await transport.scan({ timeoutMs: 100 });
  const conn = await transport.connect(asDeviceId('h10-test'));
  const chunks: WaveformChunk[] = [];
  const readings: Reading[] = [];
  const dropped: DroppedFrame[] = [];
  const sink = {
    reading: (r: Reading) => readings.push(r),
    dropped: (d: DroppedFrame) => dropped.push(d),
    waveform: (c: WaveformChunk) => chunks.push(c),
  };
  const ctx = { utcOffsetMinutes, now: () => new Date() };
  return { sim, device: device!, conn, chunks, readings, dropped, sink, ctx };
}

describe('Polar H10 ECG driver', () => {
  it('matches the H10 and starts ECG at 130 Hz, 14-bit; chunks carry exactly the samples sent', async () => {
    const r = await rig();
    expect(polarEcgDriver.matches(r.device)).toBe(true);
    await polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx);
    expect(r.sim.streaming).toBe(true);
    await until(() => r.chunks.length >= 5, 5000, 'five ECG frames');
    const received = r.chunks.flatMap((c) => [...c.samples]);
    expect(received).toEqual([...r.sim.sentSamples().subarray(0, received.length)]);
    expect(r.chunks.every((c) => c.rateHz === 130 && c.unit === 'uV' && c.gapBefore === 0)).toBe(true);
    expect(r.chunks[0]!.samples.length).toBe(73);
    // A sign of life per frame, never stored: no observations, an ECG preview.
    expect(r.readings[0]).toMatchObject({ observations: [], preview: { kind: 'ecg-uv', unit: 'uV' } });
    expect(r.dropped).toEqual([]);
  });

  it('corrects the 2019 default clock to the kit time and records the offset', async () => {
    const r = await rig({ clock: 'default-2019' });
    await polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx);
    await until(() => r.chunks.length >= 1);
    const c = r.chunks[0]!;
    expect(c.deviceClock).toBe('default');
    const firstMs = Number(c.firstSampleUnixNs / 1_000_000n);
    expect(Math.abs(firstMs - Date.now())).toBeLessThan(3000);
    // 2019-01-01 plus ~95 s of uptime, against now: years of offset, kept in every chunk.
    expect(c.clockOffsetMs).toBeGreaterThan(Date.now() - Date.parse('2019-01-02T00:00:00Z'));
  });

  it.each([
    ['utc', 'utc', 0],
    ['local', 'local', -180 * 60_000],
  ] as const)('keeps a clock set to %s, shifted by the zone when local', async (clock, state, offset) => {
    const r = await rig({ clock, utcOffsetMinutes: 180, timeScale: 1 });
    await polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx);
    await until(() => r.chunks.length >= 1, 3000);
    expect(r.chunks[0]).toMatchObject({ deviceClock: state, clockOffsetMs: offset });
  });

  it('judges clocks: set to UTC, to local time, at the H10 default, or wrong', () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    const polar = (ms: number) => BigInt(ms - Date.parse('2000-01-01T00:00:00Z')) * 1_000_000n;
    expect(judgePmdClock(polar(now - 300), now, 180).state).toBe('utc');
    expect(judgePmdClock(polar(now + 3 * 3600_000), now, 180)).toEqual({
      state: 'local',
      offsetNs: -10_800_000_000_000n,
    });
    expect(judgePmdClock(polar(Date.parse('2019-01-01T00:05:00Z')), now, 180).state).toBe('default');
    expect(judgePmdClock(polar(Date.parse('1999-12-31T00:00:00Z') + 86_400_000), now, 180).state).toBe(
      'wrong',
    );
  });

  it('counts compressed frames as refused and marks lost notifications as gaps', async () => {
    const faults = { dropRate: 0, compressedRate: 0 };
    const r = await rig({ faults });
    await polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx);
    await until(() => r.chunks.length >= 2);
    faults.compressedRate = 0.3;
    faults.dropRate = 0.3;
    await until(
      () => r.dropped.length >= 2 && r.chunks.some((c) => c.gapBefore > 0),
      8000,
      'refusals and gaps',
    );
    expect(r.dropped.every((d) => d.error.code === 'unsupported')).toBe(true);
    const gaps = r.chunks.filter((c) => c.gapBefore > 0).map((c) => c.gapBefore);
    // Whole frames go missing: 73 samples each (refused frames leave gaps too).
    expect(gaps.every((g) => g % 73 === 0)).toBe(true);
  });

  it('accepts a strap that is already streaming and names a control point that never answers', async () => {
    const r = await rig();
    await polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx);
    // A second start on the same stream: the strap says "already in state", which is fine.
    await expect(polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx)).resolves.toBeUndefined();
    const silent = await rig({ faults: { dropRate: 1 } });
    const err = await createPolarEcgDriver({ responseTimeoutMs: 200 })
      .start(silent.conn, silent.device, silent.sink, silent.ctx)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PmdCommandError);
    expect((err as PmdCommandError).code).toBe('timeout');
  });

  it('turns any bytes on the data characteristic into a chunk or a counted refusal, never a throw', async () => {
    const r = await rig({ timeScale: 0.001 });
    await polarEcgDriver.start(r.conn, r.device, r.sink, r.ctx);
    const frames = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc
        .record({
          ts: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
          samples: fc.array(fc.integer({ min: -0x800000, max: 0x7fffff }), { maxLength: 20 }),
        })
        .chain(({ ts, samples }) => {
          const whole = pmdEcgFrame.encode({ timestampNs: ts, samples });
          return fc.nat(whole.length).map((cut) => whole.subarray(0, cut));
        }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(frames, { minLength: 1, maxLength: 10 }), async (batch) => {
        const chunksBefore = r.chunks.length;
        const droppedBefore = r.dropped.length;
        let decodable = 0;
        let refused = 0;
        for (const b of batch) {
          try {
            if (pmdEcgFrame.decode(b).samples.length > 0) decodable++;
          } catch {
            refused++;
          }
          r.sim.peripheral.emit(PMD_SERVICE, PMD_DATA, b);
        }
        await until(
          () => r.chunks.length - chunksBefore + r.dropped.length - droppedBefore === decodable + refused,
          2000,
        );
        // Every frame became a chunk (empty ones nothing) or a counted refusal, and nothing threw.
        expect(r.chunks.length - chunksBefore).toBe(decodable);
        expect(r.dropped.length - droppedBefore).toBe(refused);
      }),
      { numRuns: 60 },
    );
    expect(r.dropped.every((d) => d.error.name === 'CodecError')).toBe(true);
  });
});
