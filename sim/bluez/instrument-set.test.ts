import { describe, expect, it } from 'vitest';
import { bloodPressureMeasurement } from '../../ble-devices/codecs/blood-pressure.ts';
import type { WaveformChunk } from '../../ble-devices/drivers/driver.ts';
import { polarEcgDriver } from '../../ble-devices/drivers/polar-ecg.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { NodeBleTransport } from '../../ble-devices/transports/node-ble/index.ts';
import { SimTransport } from '../transport/sim-transport.ts';
import { startSimulatedBluez } from './index.ts';
import { buildInstrumentSet, type ClockFault } from './instrument-set.ts';

/** The cuff's first measurement timestamp with a clock fault (device wall time, no zone). */
async function firstTimestamp(clock: ClockFault | undefined, utcOffsetMinutes: number) {
  const [{ instrument }] = buildInstrumentSet(['bp'], {
    seed: 1,
    utcOffsetMinutes,
    bpIntervalMs: 1000,
    ...(clock ? { clock } : {}),
  }) as [ReturnType<typeof buildInstrumentSet>[0]];
  const t = new SimTransport([instrument.peripheral]);
  const conn = await t.connect(asDeviceId(instrument.peripheral.id));
  const got = new Promise<Uint8Array>((resolve) => void conn.subscribe('1810', '2a35', 'indicate', resolve));
  instrument.start();
  try {
    return bloodPressureMeasurement.decode(await got).timestamp!;
  } finally {
    instrument.stop();
    await t.close();
  }
}

describe('device clock faults of the simulated instruments', () => {
  it('a clock reset to 1970 or stuck at 2019 stamps measurements from that date; a UTC clock shows UTC wall time', async () => {
    const [reset, h10, utc, right] = await Promise.all([
      firstTimestamp('1970', 180),
      firstTimestamp('2019', 180),
      firstTimestamp('utc', 180),
      firstTimestamp(undefined, 180),
    ]);
    expect(reset.year).toBe(1970);
    expect([h10.year, h10.month, h10.day]).toEqual([2019, 1, 1]);
    // The cuff should show local time (UTC+3); the faulty one is three hours behind.
    const wall = (d: typeof utc): number =>
      Date.UTC(d.year, d.month - 1, d.day, d.hours, d.minutes, d.seconds);
    expect(Math.round((wall(right) - wall(utc)) / 3_600_000)).toBe(3);
  }, 20_000);
});

describe('the H10 of the simulated instrument set', () => {
  it("streams ECG through the simulated BlueZ and node-ble to the kit's driver: 73 samples a notification at 130 Hz, its unset 2019 clock seen", async () => {
    const [{ instrument, device }] = buildInstrumentSet(['h10'], {
      seed: 3,
      utcOffsetMinutes: 180,
      clock: '2019',
    }) as [ReturnType<typeof buildInstrumentSet>[0]];
    instrument.start();
    const sim = await startSimulatedBluez({ devices: [device], connectMs: 5, resolveMs: 5 });
    const transport = new NodeBleTransport({ busAddress: sim.address });
    try {
      const [found] = await transport.scan({ timeoutMs: 50 });
      expect(polarEcgDriver.matches(found!)).toBe(true);
      const conn = await transport.connect(found!.id);
      const chunks: WaveformChunk[] = [];
      await polarEcgDriver.start(
        conn,
        found!,
        { reading: () => undefined, dropped: () => undefined, waveform: (c) => void chunks.push(c) },
        { utcOffsetMinutes: 180, now: () => new Date() },
      );
      await expect.poll(() => chunks.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
      expect(chunks[0]).toMatchObject({ rateHz: 130, kind: 'ecg', deviceClock: 'default' });
      // A whole frame (73 samples) per notification, as the strap sends at MTU 232.
      expect(chunks.map((c) => c.samples.length).slice(0, 2)).toEqual([73, 73]);
      expect(chunks[1]!.gapBefore).toBe(0);
      await conn.disconnect();
    } finally {
      instrument.stop();
      await transport.close();
      await sim.stop();
    }
  }, 30_000);
});
