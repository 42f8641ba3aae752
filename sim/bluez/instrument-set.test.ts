import { describe, expect, it } from 'vitest';
import { bloodPressureMeasurement } from '../../ble-devices/codecs/blood-pressure.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { SimTransport } from '../transport/sim-transport.ts';
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
