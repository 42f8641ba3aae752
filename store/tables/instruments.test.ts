import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../index.ts';
import { StoreError } from '../errors.ts';
import { tempStores } from '../test-fixtures.ts';
import { TEST_KDF } from '../testing.ts';

const temp = tempStores();
const fresh = () => temp.open();
const dirs = () => temp.dir();

const meter = {
  address: 'AA:BB:CC:00:11:22',
  transport: 'node-ble' as const,
  name: 'Accu-Chek Guide',
  profile: 'glucose',
  serial: 'SN-GLU-0042',
  model: 'Guide 929',
};

describe('remembered instruments', () => {
  it('remembers, updates, lists and forgets an instrument, audited', async () => {
    const s = await fresh();
    const r = await s.rememberInstrument(meter);
    expect(r).toMatchObject({
      ...meter,
      bonded: false,
      firmware: null,
      lastSequence: null,
      recentReadings: [],
    });
    expect(r.id).toMatch(/^i-/);
    const u = await s.updateInstrument(r.id, {
      lastSequence: 20,
      battery: 81,
      lastSeenAt: new Date().toISOString(),
    });
    expect(u.lastSequence).toBe(20);
    expect((await s.getInstrument(r.id)).battery).toBe(81);
    expect((await s.listInstruments()).map((i) => i.id)).toEqual([r.id]);
    expect(await s.forgetInstrument(r.id)).toBe(true);
    expect(await s.forgetInstrument(r.id)).toBe(false);
    expect(await s.listInstruments()).toEqual([]);
    await expect(s.getInstrument(r.id)).rejects.toMatchObject({ code: 'not_found' });
    const actions = (await s.readAudit()).filter((e) => e.table === 'instruments').map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['create', 'update', 'read', 'delete']));
  });

  it('remembering a known address again keeps its sequence bookkeeping and known identity', async () => {
    const s = await fresh();
    const first = await s.rememberInstrument(meter);
    await s.updateInstrument(first.id, { lastSequence: 499, firmware: '1.2.3' });
    const again = await s.rememberInstrument({ ...meter, serial: null, bonded: true });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({
      lastSequence: 499,
      firmware: '1.2.3',
      serial: 'SN-GLU-0042',
      bonded: true,
    });
    expect(await s.listInstruments()).toHaveLength(1);
    // The same address on another transport is another instrument.
    const other = await s.rememberInstrument({ ...meter, transport: 'sim' });
    expect(other.id).not.toBe(first.id);
    // Forgotten then remembered: a new record, nothing carried over.
    await s.forgetInstrument(first.id);
    const back = await s.rememberInstrument(meter);
    expect(back.id).not.toBe(first.id);
    expect(back.lastSequence).toBeNull();
  });

  it('refuses invalid input and unknown patch fields with a typed error', async () => {
    const s = await fresh();
    await expect(s.rememberInstrument({ ...meter, address: '' })).rejects.toBeInstanceOf(StoreError);
    const r = await s.rememberInstrument(meter);
    await expect(s.updateInstrument(r.id, { lastSequence: 70000 })).rejects.toMatchObject({
      code: 'invalid_record',
    });
    await expect(
      s.updateInstrument(r.id, { address: 'elsewhere' } as unknown as { battery: number }),
    ).rejects.toMatchObject({ code: 'invalid_record' });
  });

  it('keeps serial numbers encrypted on disk and readable after reopening', async () => {
    const dir = dirs();
    const s = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    const r = await s.rememberInstrument(meter);
    await s.close();
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(join(dir, f));
      expect(bytes.includes(Buffer.from('SN-GLU-0042'))).toBe(false);
      expect(bytes.includes(Buffer.from('AA:BB:CC:00:11:22'))).toBe(false);
    }
    const again = await openStore({ path: dir, passphrase: 'pw', kdf: TEST_KDF });
    expect((await again.getInstrument(r.id)).serial).toBe('SN-GLU-0042');
    await again.close();
  });
});
