import { afterEach, describe, expect, it } from 'vitest';
import { batteryLevel } from '../../ble-devices/codecs/battery.ts';
import { currentTime } from '../../ble-devices/codecs/current-time.ts';
import { DRIVERS } from '../../ble-devices/drivers/catalogue.ts';
import { readDeviceInformation, writeCurrentTime } from '../../ble-devices/drivers/device-services.ts';
import type { DriverSession, DroppedFrame, Reading } from '../../ble-devices/drivers/driver.ts';
import { SimTransport } from '../transport/sim-transport.ts';
import { SIM_KINDS, createSimInstrument, type SimInstrumentSpec } from './catalogue.ts';
import { SimDeviceClock } from './device-clock.ts';
import { SimBattery } from './sim-battery.ts';

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs a simulated instrument through the kit's own driver on SimTransport, collecting readings. */
async function drive(spec: SimInstrumentSpec) {
  const instrument = createSimInstrument(spec);
  const transport = new SimTransport([instrument.peripheral]);
  const [device] = await transport.scan({ timeoutMs: 100 });
  const driver = DRIVERS.find((d) => d.matches(device!));
  if (!driver) throw new Error(`no driver for ${spec.kind}`);
  const conn = await transport.connect(device!.id);
  const readings: Reading[] = [];
  const dropped: DroppedFrame[] = [];
  const session = await driver.start(
    conn,
    device!,
    { reading: (r) => readings.push(r), dropped: (f) => dropped.push(f) },
    { utcOffsetMinutes: 180, now: () => new Date() },
  );
  instrument.start();
  return { instrument, transport, conn, driver, readings, dropped, session: session as DriverSession };
}

describe('simulated instruments through the kit drivers', () => {
  const stops: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const s of stops.splice(0)) await s();
  });
  const run = async (spec: SimInstrumentSpec) => {
    const d = await drive(spec);
    stops.push(async () => {
      d.instrument.stop();
      await d.transport.close();
    });
    return d;
  };

  it.each([
    [
      { kind: 'oximeter', rate: 50, spotCheckIntervalMs: 50 },
      ['plx_continuous_measurement', 'plx_spot_check_measurement'],
    ],
    [{ kind: 'bp', rate: 10 }, ['blood_pressure_measurement', 'intermediate_cuff_pressure']],
    [{ kind: 'thermometer', rate: 10 }, ['temperature_measurement', 'intermediate_temperature']],
    [
      { kind: 'scale', rate: 10, bodyComposition: true },
      ['weight_measurement', 'body_composition_measurement'],
    ],
    [{ kind: 'heart-rate', rate: 50 }, ['heart_rate_measurement']],
  ] as Array<[SimInstrumentSpec, string[]]>)(
    '%o sends spec-exact frames the driver maps',
    async (spec, codecs) => {
      const d = await run(spec);
      await until(() => codecs.every((c) => d.readings.some((r) => r.codec === c)));
      expect(d.dropped).toEqual([]);
      const stored = d.readings.filter((r) => r.observations.length > 0);
      expect(stored.length).toBeGreaterThan(0);
      for (const r of stored) for (const o of r.observations) expect(o.effectiveAt).toMatch(/Z$/);
    },
  );

  it('downloads a glucose meter memory through the driver session, then only newer records', async () => {
    const d = await run({ kind: 'glucose', records: 40, recordIntervalMs: 0 });
    const progress: number[] = [];
    const first = await d.session.download!({ after: null, onProgress: (n) => progress.push(n) });
    expect(first).toEqual({ announced: 40, received: 40, highestSequence: 40, outcome: 'success' });
    expect(progress.at(-1)).toBe(40);
    const glucose = d.readings.filter((r) => r.codec === 'glucose_measurement');
    expect(glucose.map((r) => r.sequenceNumber)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(glucose.every((r) => r.observations[0]?.code.loinc === '41653-7')).toBe(true);
    expect(d.readings.filter((r) => r.codec === 'glucose_measurement_context')).toHaveLength(8);
    expect(await d.session.download!({ after: 40 })).toMatchObject({ outcome: 'no_records', received: 0 });
    (d.instrument as unknown as { addRecords(n: number): void }).addRecords(2);
    expect(await d.session.download!({ after: 40 })).toEqual({
      announced: 2,
      received: 2,
      highestSequence: 42,
      outcome: 'success',
    });
  });

  it('every kind has Device Information, a draining battery and a settable Current Time', async () => {
    for (const kind of SIM_KINDS) {
      const d = await run({ kind, clock: '2019', serial: `SN-${kind}`, battery: 55 });
      const info = await readDeviceInformation(d.conn);
      expect(info).toMatchObject({
        serial: `SN-${kind}`,
        manufacturer: 'Field kit simulators',
        firmware: '1.0.0',
      });
      expect(batteryLevel.decode(await d.conn.read('180f', '2a19'))).toBe(55);
      const before = currentTime.decode(await d.conn.read('1805', '2a2b'));
      expect(before.dateTime.year).toBe(2019);
      expect(await writeCurrentTime(d.conn, new Date('2026-03-04T05:06:07Z'), 180)).toBe(true);
      const after = currentTime.decode(await d.conn.read('1805', '2a2b'));
      expect(after.dateTime).toMatchObject({ year: 2026, month: 3, day: 4, hours: 8, minutes: 6 });
      expect(after.adjustReason).toBe(1);
    }
  });
});

describe('device clock and battery', () => {
  it('runs from 1970, 2019, UTC or local time, and refuses an unknown date', () => {
    let now = Date.UTC(2026, 5, 1, 12, 0, 0);
    const clock = (mode: '1970' | '2019' | 'utc' | 'correct') =>
      new SimDeviceClock({ mode, utcOffsetMinutes: 180, now: () => now, resetAtMs: now - 60_000 });
    const c1970 = clock('1970');
    const c2019 = clock('2019');
    const utc = clock('utc');
    const local = clock('correct');
    now += 1000;
    expect(c1970.now()).toMatchObject({ year: 1970, month: 1, day: 1, hours: 0, minutes: 1, seconds: 1 });
    expect(c2019.now()).toMatchObject({ year: 2019, month: 1, day: 1, minutes: 1 });
    expect(utc.now()).toMatchObject({ year: 2026, hours: 12, seconds: 1 });
    expect(local.now()).toMatchObject({ year: 2026, hours: 15, seconds: 1 });
    const cts = c1970.service()['2a2b']!;
    expect(() => cts.onWrite!(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 1))).toThrow(/ATT error 0xff/);
    expect(() => cts.onWrite!(Uint8Array.of(1))).toThrow(/ATT error 0xff/);
    expect(c1970.wasSet).toBe(false);
  });

  it('drains with time and measurements and notifies whole-percent changes', () => {
    let now = 0;
    const battery = new SimBattery({ level: 50, drainPerMeasurement: 0.5, drainPerHour: 1, now: () => now });
    expect(battery.level).toBe(50);
    now = 3_600_000;
    expect(battery.level).toBe(49);
    battery.measured(2);
    expect(battery.level).toBe(48);
    battery.measured(200);
    expect(battery.level).toBe(0);
  });
});
