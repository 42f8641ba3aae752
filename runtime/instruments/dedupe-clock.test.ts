import { describe, expect, it } from 'vitest';
import type { Reading } from '../../ble-devices/drivers/driver.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { clockCorrection } from './clock.ts';
import { ReadingDeduper, isNewerSequence } from './dedupe.ts';

const draft = {
  code: { loinc: '41653-7', display: 'Glucose' },
  value: { kind: 'quantity', value: 100, precision: 0, unit: 'mg/dL' },
  components: [],
  status: 'final',
  category: 'laboratory',
  effectiveAt: '2026-01-01T00:00:00.000Z',
} as const;

function reading(over: Partial<Reading>): Reading {
  return {
    deviceId: asDeviceId('d'),
    deviceName: 'd',
    profile: 'glucose',
    characteristic: '2a18',
    codec: 'glucose_measurement',
    codecVersion: '1',
    raw: new Uint8Array(),
    receivedAt: new Date(),
    observations: [draft],
    preview: null,
    clockOffsetMs: 0,
    ...over,
  };
}
const seq = (n: number, characteristic = '2a18') => reading({ sequenceNumber: n, characteristic });

/** Claims and commits, as a reading that was stored. */
function store(d: ReadingDeduper, r: Reading): boolean {
  const { duplicate, key } = d.claim(r);
  if (!duplicate && key) d.committed(key, r);
  return !duplicate;
}

describe('reading dedupe', () => {
  it('compares 16-bit sequence numbers across the wrap', () => {
    expect(isNewerSequence(2, 1)).toBe(true);
    expect(isNewerSequence(1, 1)).toBe(false);
    expect(isNewerSequence(0, 0xffff)).toBe(true);
    expect(isNewerSequence(0xffff, 0)).toBe(false);
  });

  it('keeps a measurement and its context apart, and suppresses both when sent again', () => {
    const d = new ReadingDeduper(null, []);
    expect(store(d, seq(1))).toBe(true);
    expect(store(d, seq(1, '2a34'))).toBe(true);
    expect(d.lastSequence).toBe(1);
    expect(store(d, seq(1))).toBe(false);
    expect(store(d, seq(1, '2a34'))).toBe(false);
    // After a restart: the watermark and the latest keys come back from the store.
    const again = new ReadingDeduper(d.lastSequence, d.recent);
    expect(store(again, seq(1, '2a34'))).toBe(false);
    expect(store(again, seq(0))).toBe(false);
    expect(store(again, seq(2))).toBe(true);
  });

  it('holds the watermark below a pending, refused or unreadable record', () => {
    const d = new ReadingDeduper(10, []);
    const a = d.claim(seq(11));
    const b = d.claim(seq(12));
    d.committed(b.key!, seq(12));
    expect(d.lastSequence).toBe(10); // 11 is still on its way to the disk
    d.failed(a.key!, seq(11));
    expect(d.lastSequence).toBe(10);
    expect(d.held).toBe(true);
    // The next download asks again from 11: 11 is new, 12 a duplicate that lets the watermark pass.
    d.releaseHold();
    expect(store(d, seq(11))).toBe(true);
    expect(store(d, seq(12))).toBe(false);
    expect(d.lastSequence).toBe(12);
    store(d, seq(13));
    d.gap(); // the frame after 13 was unreadable
    store(d, seq(15));
    expect(d.lastSequence).toBe(13);
  });

  it('matches sequence-less records by device time and value', () => {
    const d = new ReadingDeduper(null, []);
    const at = (t: string, value = 120) =>
      reading({
        characteristic: '2a35',
        deviceTime: t,
        observations: [{ ...draft, value: { ...draft.value, value } }],
      });
    expect(store(d, at('2026-01-01T08:00:00+03:00'))).toBe(true);
    expect(store(d, at('2026-01-01T08:00:00+03:00'))).toBe(false);
    expect(store(d, at('2026-01-01T08:00:00+03:00', 121))).toBe(true);
    expect(store(d, at('2026-01-01T08:01:00+03:00'))).toBe(true);
    // Live streams (no device time) are never held back.
    expect(store(d, reading({ characteristic: '2a5f' }))).toBe(true);
    expect(store(d, reading({ characteristic: '2a5f' }))).toBe(true);
  });
});

describe('clock correction', () => {
  const now = Date.UTC(2026, 5, 1, 12, 0, 0);
  const at = (ms: number) => new Date(ms);

  it('applies the measured offset, and after a set only to records made since', () => {
    const before = now - Date.UTC(2019, 0, 1); // the device was at 2019
    const correct = clockCorrection({ supported: true, before, after: 20, setAt: now - 1000 });
    // A record from memory, stamped by the old clock two hours ago.
    expect(correct(at(Date.UTC(2019, 0, 1) - 7_200_000), at(now))).toBe(before);
    // A record measured after the clock was set.
    expect(correct(at(now - 20), at(now + 10))).toBe(20);
    const unset = clockCorrection({ supported: true, before: -3_600_000, after: null, setAt: null });
    expect(unset(at(now), at(now))).toBe(-3_600_000);
  });

  it('without Current Time keeps plausible times and dates impossible ones by arrival', () => {
    const none = clockCorrection({ supported: false, before: null, after: null, setAt: null });
    expect(none(at(now - 86_400_000), at(now))).toBe(0);
    expect(none(at(Date.UTC(1970, 0, 1)), at(now))).toBe(now - Date.UTC(1970, 0, 1));
    expect(none(at(now + 2 * 86_400_000), at(now))).toBe(-2 * 86_400_000);
  });
});
