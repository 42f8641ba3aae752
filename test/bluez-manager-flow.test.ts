import { afterEach, describe, expect, it } from 'vitest';
import { uuidKey } from '../ble-devices/codecs/uuid.ts';
import type { DeviceId } from '../ble-devices/transport.ts';
import { NodeBleTransport } from '../ble-devices/transports/node-ble/index.ts';
import { createLogger } from '../runtime/log.ts';
import { PairingSessions } from '../runtime/instruments/pairing.ts';
import { startSimulatedBluez, type SimulatedBluez } from '../sim/bluez/index.ts';
import { createSimBpMonitor } from '../sim/instruments/bp-monitor.ts';
import { createSimGlucoseMeter } from '../sim/instruments/glucose-meter.ts';
import type { ObservationRecord } from '../store/schema/observation.ts';
import { managerRig, until, type Rig } from './helpers/manager-rig.ts';

const BP = '85354-9';
const GLUCOSE = '41653-7';
const RECORD_SPACING_MS = 3_600_000;

const glucose = (records: readonly ObservationRecord[]): ObservationRecord[] =>
  records.filter((r) => r.code.loinc === GLUCOSE);
const sequences = (records: readonly ObservationRecord[]): number[] =>
  glucose(records)
    .map((r) => r.provenance.sequenceNumber ?? -1)
    .sort((a, b) => a - b);
const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);
const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');

/**
 * The flow, in order, through the real node-ble transport and the simulated BlueZ on a
 * private dbus-daemon, into the instrument manager over a real encrypted store (the manager's
 * rig, as the kit wires it): discover, pair with a passkey, connect, store a BP indication,
 * download 20 stored glucose records through RACP, fetch only the new ones on the next connection
 * (0 duplicates), reconnect after a drop, and set the meter's clock with the offset in provenance.
 * Both instruments pair by passkey entry and serve their measurements only over a bonded link,
 * as Omron cuffs and Accu-Chek meters do. The meter's clock starts at 2019-01-01.
 */
describe('the full instrument flow through node-ble and the simulated BlueZ', () => {
  let rig: Rig | undefined;
  let sim: SimulatedBluez | undefined;
  let pairing: PairingSessions | undefined;
  afterEach(async () => {
    await pairing?.close();
    await rig?.teardown();
    await sim?.stop();
    rig = undefined;
    sim = undefined;
    pairing = undefined;
  });

  it('discover, pair with a passkey, connect, BP indication, 20 RACP records, only new ones after a drop, clock set', async () => {
    const created = Date.now();
    const cuff = createSimBpMonitor({
      id: 'flow-bp',
      intervalMs: 300,
      stepMs: 10,
      inflationSteps: 2,
      utcOffsetMinutes: 180,
    });
    const meter = createSimGlucoseMeter({
      id: 'flow-glucose',
      records: 20,
      recordSpacingMs: RECORD_SPACING_MS,
      seed: 11,
      clock: '2019',
      utcOffsetMinutes: 180,
    });
    sim = await startSimulatedBluez({
      devices: [
        { peripheral: cuff.peripheral, pairing: 'passkey-entry', encryptedServices: ['1810'] },
        { peripheral: meter.peripheral, pairing: 'passkey-entry', encryptedServices: ['1808'] },
      ],
      connectMs: 5,
      resolveMs: 5,
    });
    const passkeys = new Map<string, number>();
    sim.bluez.onEvent((e) => {
      if (e.type === 'passkey') passkeys.set(e.address, e.passkey);
    });
    const cuffAddress = sim.bluez.device('flow-bp')!.address as DeviceId;
    const meterDevice = sim.bluez.device('flow-glucose')!;
    const meterAddress = meterDevice.address as DeviceId;
    const transport = new NodeBleTransport({
      busAddress: sim.address,
      timeouts: { callMs: 3000, connectMs: 3000, resolveMs: 3000 },
    });
    rig = await managerRig({ instruments: [cuff, meter], transport, autoRemember: false });
    const r = rig;
    pairing = new PairingSessions({ transport, bus: r.bus, log: createLogger('silent') });
    const p = pairing;

    // 1. discover: both instruments offered to the tablet with their profiles, none remembered yet.
    await until(() => r.manager.discovered().length === 2, 'both instruments discovered');
    expect(
      r.manager
        .discovered()
        .map((d) => [d.id, d.profile])
        .sort(),
    ).toEqual(
      [
        [cuffAddress, 'blood-pressure'],
        [meterAddress, 'glucose'],
      ].sort(),
    );
    expect(r.manager.list()).toEqual([]);

    // 2. pair with a passkey: the question arrives as a live event, the answer goes through the API.
    for (const address of [cuffAddress, meterAddress]) {
      const session = p.start({ id: address });
      await until(
        () =>
          r.events.some(
            (e) =>
              e.type === 'pairing' && e.session.id === session.id && e.session.state === 'waiting-for-answer',
          ) && passkeys.has(address),
        `passkey asked for ${address}`,
      );
      expect(p.answer(session.id, passkeys.get(address))).toEqual({ ok: true });
      expect((await p.settled(session.id)).state).toBe('bonded');
    }

    // 3. connect: remembered from the tablet, each comes up bonded.
    await r.manager.remember(cuffAddress);
    await r.manager.remember(meterAddress);
    await until(() => r.status(cuffAddress).state === 'connected', 'cuff connected');
    await until(() => r.status(meterAddress).state === 'connected', 'meter connected');
    expect(r.status(cuffAddress).bonded).toBe(true);
    expect(r.status(meterAddress).bonded).toBe(true);

    // 4. a BP indication stored, with the cuff's serial in its provenance.
    await until(
      () => r.events.some((e) => e.type === 'observations' && e.records.some((o) => o.code.loinc === BP)),
      'a BP panel',
    );
    const [panel] = (await r.stored()).filter((o) => o.code.loinc === BP);
    expect(panel!.provenance.serial).toBeTruthy();

    // 5. the 20 stored glucose records downloaded through RACP.
    await until(
      () => r.status(meterAddress).lastSequence === 20 && r.status(meterAddress).download === null,
      'first RACP download',
      30_000,
    );
    expect(sequences(await r.stored())).toEqual(range(1, 20));
    // What BlueZ carried to the meter's RACP: count all, report all, as Write Requests.
    const racp = (): Array<{ type: string; value: string }> =>
      sim!.bluez.writes
        .filter((w) => w.address === meterAddress && uuidKey(w.characteristic) === '2a52' && w.ok)
        .map((w) => ({ type: w.type, value: hex(w.value) }));
    expect(racp()).toEqual([
      { type: 'request', value: '0401' },
      { type: 'request', value: '0101' },
    ]);

    // 8. (checked on the records just stored) the meter's 2019 clock set through Current Time;
    // every record dated right, the device's own time and the offset kept in provenance.
    const status = r.status(meterAddress);
    expect(status.clockSet).toBe(true);
    expect(status.clockOffsetMs!).toBeGreaterThan(365 * 24 * 3_600_000);
    for (const rec of glucose(await r.stored())) {
      const real = created - (21 - rec.provenance.sequenceNumber!) * RECORD_SPACING_MS;
      expect(Math.abs(Date.parse(rec.effectiveAt) - real)).toBeLessThan(10_000);
      expect(rec.provenance.deviceTime!.startsWith('2019-01-01')).toBe(true);
      expect(Date.parse(rec.provenance.deviceTime!) + rec.provenance.clockOffsetMs!).toBe(
        Date.parse(rec.effectiveAt),
      );
    }

    // 6 and 7. three new readings; the link drops on BlueZ's side; the manager reconnects and
    // fetches only the three (0 duplicates), dated by the clock it set (offset about 0).
    meter.addRecords(3);
    meterDevice.dropLink('walked out of range');
    await until(() => r.status(meterAddress).lastSequence === 23, 'second download', 30_000);
    expect(sequences(await r.stored())).toEqual(range(1, 23));
    expect(r.status(meterAddress)).toMatchObject({ duplicates: 0, reconnects: 1 });
    // Only records from 21 on were asked for (RACP operator >= on the sequence number).
    expect(
      racp()
        .slice(2)
        .map((w) => w.value),
    ).toEqual(['0403011500', '0103011500']);
    const fresh = glucose(await r.stored()).find((o) => o.provenance.sequenceNumber === 23)!;
    expect(Math.abs(fresh.provenance.clockOffsetMs!)).toBeLessThan(5_000);
    expect(Math.abs(Date.parse(fresh.effectiveAt) - Date.now())).toBeLessThan(15_000);

    // 7. the cuff too comes back after a drop and stores again.
    const panels = (await r.stored()).filter((o) => o.code.loinc === BP).length;
    sim.bluez.device('flow-bp')!.dropLink('walked out of range');
    await until(() => r.status(cuffAddress).reconnects >= 1, 'cuff reconnected');
    await expect
      .poll(async () => (await r.stored()).filter((o) => o.code.loinc === BP).length, { timeout: 15_000 })
      .toBeGreaterThan(panels);
    expect(r.status(cuffAddress).duplicates).toBe(0);
  });
});
