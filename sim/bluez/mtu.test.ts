import { describe, expect, it } from 'vitest';
import type { DroppedFrame, WaveformChunk } from '../../ble-devices/drivers/driver.ts';
import { polarEcgDriver } from '../../ble-devices/drivers/polar-ecg.ts';
import { NodeBleTransport } from '../../ble-devices/transports/node-ble/index.ts';
import { SimPeripheral } from '../gatt/sim-peripheral.ts';
import { createSimInstrument, SIM_KINDS, SIM_STREAMS } from '../instruments/catalogue.ts';
import { createSimPolarH10 } from '../instruments/polar-h10.ts';
import { airValue } from './gatt.ts';
import { startSimulatedBluez, type SimBluezEvent } from './index.ts';

const bytes = (n: number, from = 0): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

describe('ATT MTU in the simulated BlueZ', () => {
  it('cuts a value to MTU - 3 bytes as a notification carries it (20 at the default MTU 23)', () => {
    expect(airValue(bytes(30), 23)).toEqual(bytes(20));
    expect(airValue(bytes(20), 23)).toEqual(bytes(20));
    expect(airValue(bytes(229), 232)).toEqual(bytes(229));
    expect(airValue(bytes(300), 232)).toEqual(bytes(229));
    // Below the spec's minimum the default applies (an MTU under 23 is never negotiated).
    expect(airValue(bytes(30), 10)).toEqual(bytes(20));
  });

  it('through node-ble a notification longer than MTU - 3 arrives cut, as BlueZ delivers it; at a larger MTU whole', async () => {
    const chars = { '1234': { '5678': { properties: ['notify' as const] } } };
    const small = new SimPeripheral('mtu-small', 'Sim MTU 23', chars);
    const large = new SimPeripheral('mtu-large', 'Sim MTU 64', chars);
    const sim = await startSimulatedBluez({
      devices: [{ peripheral: small }, { peripheral: large, mtu: 64 }],
      connectMs: 5,
      resolveMs: 5,
    });
    const events: SimBluezEvent[] = [];
    sim.bluez.onEvent((e) => void events.push(e));
    const transport = new NodeBleTransport({ busAddress: sim.address });
    try {
      const found = await transport.scan({ timeoutMs: 50 });
      const receive = async (p: SimPeripheral): Promise<Uint8Array[]> => {
        const dev = found.find((d) => d.name === p.name)!;
        const conn = await transport.connect(dev.id);
        const got: Uint8Array[] = [];
        await conn.subscribe('1234', '5678', 'notify', (v) => void got.push(new Uint8Array(v)));
        p.emit('1234', '5678', bytes(30));
        p.emit('1234', '5678', bytes(20, 100));
        p.emit('1234', '5678', bytes(25, 200));
        await expect.poll(() => got.length, { timeout: 10_000 }).toBe(3);
        await conn.disconnect();
        return got;
      };
      expect(await receive(small)).toEqual([bytes(20), bytes(20, 100), bytes(20, 200)]);
      expect(await receive(large)).toEqual([bytes(30), bytes(20, 100), bytes(25, 200)]);
      const smallDevice = sim.bluez.device('mtu-small')!;
      expect(smallDevice.truncatedNotifications).toBe(2);
      expect(sim.bluez.device('mtu-large')!.truncatedNotifications).toBe(0);
      // Told once per characteristic, with what was sent and what arrived.
      expect(events.filter((e) => e.type === 'truncated')).toEqual([
        {
          type: 'truncated',
          address: smallDevice.address,
          characteristic: '5678',
          length: 30,
          delivered: 20,
        },
      ]);
    } finally {
      await transport.close();
      await sim.stop();
    }
  }, 30_000);

  async function ecgThroughBluez(mtu: number | undefined) {
    const h10 = createSimPolarH10({ id: `h10-mtu-${mtu ?? 23}`, keepSent: true, timeScale: 5, seed: 9 });
    const sim = await startSimulatedBluez({
      devices: [{ peripheral: h10.peripheral, ...(mtu === undefined ? {} : { mtu }) }],
      connectMs: 5,
      resolveMs: 5,
    });
    const transport = new NodeBleTransport({ busAddress: sim.address });
    const chunks: WaveformChunk[] = [];
    const dropped: DroppedFrame[] = [];
    h10.start();
    try {
      const [found] = await transport.scan({ timeoutMs: 50 });
      const conn = await transport.connect(found!.id);
      await polarEcgDriver.start(
        conn,
        found!,
        {
          reading: () => undefined,
          dropped: (f) => void dropped.push(f),
          waveform: (c) => void chunks.push(c),
        },
        { utcOffsetMinutes: 0, now: () => new Date() },
      );
      await expect.poll(() => chunks.length + dropped.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(6);
      h10.stop();
      const truncated = sim.bluez.devices[0]!.truncatedNotifications;
      return { h10, chunks, dropped, truncated, conn };
    } finally {
      h10.stop();
      await transport.close();
      await sim.stop();
    }
  }

  it('the H10 at the MTU it negotiates (232): whole 229-byte PMD frames, the ECG decoded sample-exact through node-ble', async () => {
    const { h10, chunks, dropped, truncated } = await ecgThroughBluez(232);
    expect(truncated).toBe(0);
    expect(dropped).toEqual([]);
    expect(chunks.every((c) => c.samples.length === 73 && c.raw.length === 229)).toBe(true);
    expect(chunks.slice(1).every((c) => c.gapBefore === 0)).toBe(true);
    const got = Int32Array.from(chunks.flatMap((c) => [...c.samples]));
    // Everything the strap sent up to the last frame received, sample for sample.
    expect([...got]).toEqual([...h10.sentSamples().subarray(0, got.length)]);
  }, 40_000);

  it('the same strap left at MTU 23: every PMD frame arrives cut to 20 bytes and is refused, never decoded into wrong samples', async () => {
    const { chunks, dropped, truncated } = await ecgThroughBluez(undefined);
    expect(chunks).toEqual([]);
    expect(dropped.length).toBeGreaterThanOrEqual(6);
    expect(dropped.every((f) => f.raw.length === 20)).toBe(true);
    expect(truncated).toBeGreaterThanOrEqual(dropped.length);
  }, 40_000);
});

describe('the simulated instruments fit the MTU they run at behind the simulated BlueZ', () => {
  it.each(SIM_KINDS)(
    '%s: every notification and indication within 20 bytes (MTU 23, which it never raises)',
    async (kind) => {
      const instrument = createSimInstrument({
        kind,
        rate: 20,
        records: 30,
        spotCheckIntervalMs: 50,
        bodyComposition: true,
        seed: 5,
      });
      const p = instrument.peripheral;
      const longest = new Map<string, number>();
      p.attach();
      const offs = SIM_STREAMS[kind]
        .filter((s) => p.has(s.service, s.char))
        .map((s) =>
          p.subscribe(s.service, s.char, s.mode, (v) =>
            longest.set(s.char, Math.max(longest.get(s.char) ?? 0, v.length)),
          ),
        );
      instrument.start();
      try {
        // A glucose meter sends its records only when asked: report all stored records.
        if (kind === 'glucose') p.write('1808', '2a52', Uint8Array.of(0x01, 0x01));
        // Every stream heard from (a silent one would pass vacuously), then a while longer.
        await expect.poll(() => longest.size, { timeout: 10_000 }).toBe(offs.length);
        await new Promise((r) => setTimeout(r, 600));
      } finally {
        instrument.stop();
        for (const off of offs) off();
        p.detach('test over');
      }
      for (const [char, n] of longest) expect(n, `${kind} ${char}`).toBeLessThanOrEqual(20);
    },
    20_000,
  );
});
