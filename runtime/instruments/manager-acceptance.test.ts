import { afterEach, describe, expect, it } from 'vitest';
import { managerRig, until, type Rig } from '../../test/helpers/manager-rig.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import { createSimGlucoseMeter, type SimGlucoseMeter } from '../../sim/instruments/glucose-meter.ts';
import type { ClockMode } from '../../sim/instruments/device-clock.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import type { ObservationRecord } from '../../store/schema/observation.ts';
import { asDeviceId, type Transport } from '../../ble-devices/transport.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';

const GLUCOSE = '41653-7';
const hex = (v: Uint8Array): string => Buffer.from(v).toString('hex');

/** Records every RACP write a meter receives (what the kit asked for). */
function racpWrites(meter: SimInstrument): string[] {
  const writes: string[] = [];
  const p = meter.peripheral;
  const write = p.write.bind(p);
  p.write = (service, char, value) => {
    if (char === '2a52') writes.push(hex(value));
    write(service, char, value);
  };
  return writes;
}

const glucoseOf = (records: ObservationRecord[]) => records.filter((r) => r.code.loinc === GLUCOSE);
const sequences = (records: ObservationRecord[]) =>
  glucoseOf(records)
    .map((r) => r.provenance.sequenceNumber ?? -1)
    .sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function meter(
  id: string,
  extra: Partial<Parameters<typeof createSimGlucoseMeter>[0]> = {},
): SimGlucoseMeter {
  return createSimGlucoseMeter({
    id,
    records: 20,
    seed: 11,
    utcOffsetMinutes: 180,
    recordSpacingMs: 3_600_000,
    ...extra,
  });
}

describe('instrument manager acceptance (SimTransport, real store)', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.teardown();
    rig = undefined;
  });

  it('stores a BP indication with serial, device time and clock offset in provenance', async () => {
    const cuff = createSimBpMonitor({
      id: 'bp-acc',
      intervalMs: 200,
      stepMs: 5,
      inflationSteps: 2,
      utcOffsetMinutes: 180,
    });
    rig = await managerRig({ instruments: [cuff] });
    const r = rig;
    await until(() => r.pipeline.stats.stored >= 2, 'a BP panel and pulse stored');
    const [panel] = (await r.stored()).filter((o) => o.code.loinc === '85354-9');
    expect(panel!.provenance).toMatchObject({
      codec: 'blood_pressure_measurement',
      serial: 'SIM-BP-1-bp-acc',
    });
    expect(panel!.provenance.deviceTime).toMatch(/\+03:00$/);
    expect(Math.abs(panel!.provenance.clockOffsetMs!)).toBeLessThan(2000);
    expect(Math.abs(Date.parse(panel!.effectiveAt) - Date.now())).toBeLessThan(10_000);
    expect(r.status('bp-acc')).toMatchObject({ model: 'SIM-BP-1', firmware: '1.0.0', state: 'connected' });
    expect(r.status('bp-acc').battery).toBeGreaterThan(0);
    // Remembered encrypted in the store, with what Device Information said.
    await r.manager.stop();
    const [saved] = await r.store.listInstruments();
    expect(saved).toMatchObject({ address: 'bp-acc', profile: 'blood-pressure', serial: 'SIM-BP-1-bp-acc' });
    expect(saved!.lastSeenAt).not.toBeNull();
  });

  it('downloads 20 stored glucose records through RACP, then only the new ones (0 duplicates), across a restart too', async () => {
    const m = meter('glu-acc');
    const writes = racpWrites(m);
    rig = await managerRig({ instruments: [m] });
    const r = rig;
    await until(
      () => r.status('glu-acc').lastSequence === 20 && r.status('glu-acc').download === null,
      'first download',
    );
    expect(sequences(await r.stored())).toEqual(range(1, 20));
    expect(writes).toEqual(['0401', '0101']); // count all, report all
    // Three new readings on the meter; the link drops and comes back.
    m.addRecords(3);
    m.peripheral.detach('test: out of range');
    await until(() => r.status('glu-acc').lastSequence === 23, 'second download');
    expect(writes.slice(2)).toEqual(['04030115' + '00', '01030115' + '00']); // >= 21
    expect(sequences(await r.stored())).toEqual(range(1, 23));
    expect(r.status('glu-acc')).toMatchObject({ duplicates: 0, reconnects: 1 });
    // A restarted kit knows where it stopped: two more, fetched alone.
    m.addRecords(2);
    await r.restart();
    await until(() => r.status('glu-acc').lastSequence === 25, 'download after restart');
    expect(writes.at(-1)).toBe('01030118' + '00');
    expect(sequences(await r.stored())).toEqual(range(1, 25));
    // HbA1c rides in the context of records 10 and 20: same numbers as their measurements, kept.
    const hba1c = (await r.stored()).filter((o) => o.code.loinc === '4548-4');
    expect(hba1c.map((o) => o.provenance.sequenceNumber)).toEqual([10, 20]);
    expect(r.status('glu-acc').duplicates).toBe(0);
    await r.manager.stop();
    expect((await r.store.listInstruments())[0]!.lastSequence).toBe(25);
  });

  it('reconnects after the link drops in the middle of a RACP transfer and fetches the rest, nothing twice', async () => {
    const m = meter('glu-drop', { racpDropAfter: 7 });
    const writes = racpWrites(m);
    rig = await managerRig({ instruments: [m] });
    const r = rig;
    await until(() => r.status('glu-drop').lastSequence === 20, 'records after the drop');
    expect(sequences(await r.stored())).toEqual(range(1, 20));
    expect(writes).toContain('01030108' + '00'); // >= 8 after 7 arrived
    expect(r.status('glu-drop')).toMatchObject({ reconnects: 1, duplicates: 0 });
    const states = r.events.flatMap((e) =>
      e.type === 'instrument' && e.status.id === 'glu-drop' ? [e.status.state] : [],
    );
    expect(states).toContain('disconnected');
    expect(states.at(-1)).toBe('connected');
  });

  it.each<ClockMode>(['1970', '2019', 'utc'])(
    'sets a device clock at %s through Current Time and dates every record right, keeping both times',
    async (mode) => {
      const created = Date.now();
      const m = meter(`glu-${mode}`, { records: 4, clock: mode });
      rig = await managerRig({ instruments: [m] });
      const r = rig;
      await until(() => r.status(`glu-${mode}`).lastSequence === 4, 'download');
      const status = r.status(`glu-${mode}`);
      expect(status.clockSet).toBe(true);
      expect(Math.abs(status.clockOffsetMs!)).toBeGreaterThan(3_600_000 - 5_000);
      // The meter's clock now shows the kit's local time.
      expect(Math.abs(m.clock!.wallAt(Date.now()) - (Date.now() + 180 * 60_000))).toBeLessThan(2_000);
      const records = glucoseOf(await r.stored());
      expect(records).toHaveLength(4);
      records.forEach((rec) => {
        const real = created - (5 - rec.provenance.sequenceNumber!) * 3_600_000;
        expect(Math.abs(Date.parse(rec.effectiveAt) - real)).toBeLessThan(5_000);
        const stated = rec.provenance.deviceTime!;
        if (mode === 'utc') expect(Date.parse(stated) - real).toBeGreaterThan(-3 * 3_600_000 - 5_000);
        else expect(stated.startsWith(mode === '1970' ? '1970-01-01' : '2019-01-01')).toBe(true);
        expect(Date.parse(stated) + rec.provenance.clockOffsetMs!).toBe(Date.parse(rec.effectiveAt));
      });
      // A reading taken after the clock was set is dated by the new clock (offset ~0).
      m.addRecords(1);
      m.peripheral.detach('test: walked away');
      await until(() => r.status(`glu-${mode}`).lastSequence === 5, 'new record');
      const fresh = glucoseOf(await r.stored()).at(-1)!;
      expect(Math.abs(fresh.provenance.clockOffsetMs!)).toBeLessThan(3_000);
      expect(Math.abs(Date.parse(fresh.effectiveAt) - Date.now())).toBeLessThan(10_000);
    },
  );

  it('corrects a cuff whose memory was stamped by a clock in UTC and counts memory resent as duplicates', async () => {
    const cuff = createSimBpMonitor({
      id: 'bp-mem',
      intervalMs: 3_600_000,
      stepMs: 5,
      memory: 5,
      memorySpacingMs: 600_000,
      resend: 'all',
      clock: 'utc',
      utcOffsetMinutes: 180,
    });
    const created = Date.now();
    rig = await managerRig({ instruments: [cuff] });
    const r = rig;
    const memoryTimes = [1, 2, 3, 4, 5].map((k) => created - k * 600_000);
    const panels = async () => (await r.stored()).filter((o) => o.code.loinc === '85354-9');
    const matching = (ps: ObservationRecord[], t: number) =>
      ps.filter((p) => Math.abs(Date.parse(p.effectiveAt) - t) < 5_000);
    await until(() => r.status('bp-mem').readings >= 5, 'the memory sent');
    await r.pipeline.drain();
    // Each memory reading dated right (the cuff's UTC clock is 3 h behind local time)...
    for (const t of memoryTimes) expect(matching(await panels(), t)).toHaveLength(1);
    for (const p of await panels()) expect(p.provenance.clockOffsetMs! / 3_600_000).toBeCloseTo(3, 2);
    const before = (await panels()).length;
    // ...and the cuff sends its whole memory again on every connection: stored once, counted.
    cuff.peripheral.detach('test: drop');
    await until(() => r.status('bp-mem').duplicates >= 5, 'five duplicates');
    await r.pipeline.drain();
    for (const t of memoryTimes) expect(matching(await panels(), t)).toHaveLength(1);
    expect((await panels()).length).toBeLessThanOrEqual(before + 1); // at most one live reading since
    expect(r.status('bp-mem').reconnects).toBe(1);
    const counted = r.events.filter((e) => e.type === 'instrument' && e.status.duplicates === 5);
    expect(counted.length).toBeGreaterThan(0);
  });

  it('survives garbage frames and a link lost mid-indication without losing a stored record', async () => {
    const m = meter('glu-bad', { records: 30, faults: { corruptRate: 0.1 } });
    const cuff = createSimBpMonitor({
      id: 'bp-bad',
      intervalMs: 3_600_000,
      stepMs: 5,
      memory: 8,
      memorySpacingMs: 60_000,
      faults: { disconnectAfter: 4 },
    });
    rig = await managerRig({ instruments: [m, cuff] });
    const r = rig;
    await until(() => r.status('glu-bad').lastSequence === 30, 'every glucose record', 30_000);
    await until(() => r.pipeline.stats.stored >= 30 + 16, 'every cuff record', 30_000);
    const stored = await r.stored();
    expect(sequences(stored)).toEqual(range(1, 30));
    const panels = stored.filter((o) => o.code.loinc === '85354-9');
    // The eight memory readings (and any live one since), each stored once though resent.
    expect(panels.length).toBeGreaterThanOrEqual(8);
    expect(new Set(panels.map((p) => p.provenance.deviceTime)).size).toBe(panels.length);
    expect(r.status('glu-bad').dropped).toBeGreaterThan(0);
    expect(r.status('bp-bad').reconnects).toBeGreaterThanOrEqual(1);
  });

  it('lets the tablet discover, remember and forget instruments', async () => {
    const m = meter('glu-api', { records: 3 });
    const cuff = createSimBpMonitor({ id: 'bp-api', intervalMs: 3_600_000 });
    rig = await managerRig({ instruments: [m, cuff], autoRemember: false });
    const r = rig;
    expect(r.manager.list()).toEqual([]);
    expect(
      r.manager
        .discovered()
        .map((d) => [d.id, d.profile])
        .sort(),
    ).toEqual([
      ['bp-api', 'blood-pressure'],
      ['glu-api', 'glucose'],
    ]);
    await expect(r.manager.remember('nobody')).rejects.toMatchObject({ code: 'unknown_device' });
    const status = await r.manager.remember('glu-api');
    expect(status.profile).toBe('glucose');
    await until(() => r.status('glu-api').lastSequence === 3, 'download');
    expect(r.manager.discovered().map((d) => d.id)).toEqual(['bp-api']);
    expect((await r.store.listInstruments()).map((i) => i.address)).toEqual(['glu-api']);
    expect(await r.manager.forget('glu-api')).toBe(true);
    expect(await r.manager.forget('glu-api')).toBe(false);
    expect(r.manager.list()).toEqual([]);
    expect(await r.store.listInstruments()).toEqual([]);
    expect(m.peripheral.connected).toBe(false);
  });

  it('follows the bond state at each connection and removes the bond when forgotten', async () => {
    const m = meter('glu-bond', { records: 2 });
    const bonds = new Set<string>();
    const sim = new SimTransport([m.peripheral]);
    // SimTransport cannot bond; this wrapper keeps bonds in memory like BlueZ's pairing would.
    const transport: Transport = {
      kind: 'sim',
      scan: (o) => sim.scan(o),
      connect: (id, signal) => sim.connect(id, signal),
      close: () => sim.close(),
      pairing: {
        pair: (id) => Promise.resolve(void bonds.add(id)),
        isBonded: (id) => Promise.resolve(bonds.has(id)),
        removeBond: (id) => Promise.resolve(void bonds.delete(id)),
      },
    };
    rig = await managerRig({ instruments: [m], transport, autoRemember: false });
    const r = rig;
    expect((await r.manager.remember('glu-bond')).bonded).toBe(false);
    await until(() => r.status('glu-bond').lastSequence === 2, 'download');
    await transport.pairing!.pair(asDeviceId('glu-bond'), () => Promise.resolve(undefined));
    m.peripheral.detach('test: re-pair');
    await until(() => r.status('glu-bond').bonded, 'bond seen on reconnect');
    expect(await r.manager.forget('glu-bond')).toBe(true);
    expect(bonds.size).toBe(0);
  });

  it('keeps no listeners behind across reconnects with RACP downloads', async () => {
    const m = meter('glu-cycle', { records: 5 });
    rig = await managerRig({ instruments: [m] });
    const r = rig;
    for (let i = 0; i < 5; i++) {
      await until(
        () => r.status('glu-cycle').state === 'connected' && r.status('glu-cycle').download === null,
        'connected',
      );
      m.addRecords(1);
      m.peripheral.detach('test: cycle');
      await until(() => r.status('glu-cycle').lastSequence === 6 + i, `record ${6 + i}`);
    }
    await until(() => r.status('glu-cycle').download === null, 'download over');
    // The connection's own and the link's loss listener; RACP listens only during a procedure.
    expect(m.peripheral.detachListenerCount).toBeLessThanOrEqual(2);
    expect(r.status('glu-cycle')).toMatchObject({ reconnects: 5, duplicates: 0 });
  });
});
