import { describe, expect, it } from 'vitest';
import type { WireObservation } from '../../runtime/http/wire.ts';
import { formatObservation } from './format.ts';
import { HISTORY_LIMIT, INITIAL_STATE, latestByCode, reduce } from './live-state.ts';

function obs(id: string, loinc: string, recordedAt: string, value: number | null = 97): WireObservation {
  return {
    id,
    loinc,
    display: loinc,
    mdc: null,
    value,
    unit: '%',
    precision: 0,
    absentReason: value === null ? 'not-a-number' : null,
    components: [],
    status: 'final',
    effectiveAt: recordedAt,
    recordedAt,
    deviceId: 'd',
    deviceName: 'D',
    visitId: null,
  };
}

describe('tablet live state', () => {
  it('merges loaded and live observations newest first without duplicates, bounded', () => {
    let s = reduce(INITIAL_STATE, {
      type: 'loaded',
      observations: [obs('a', '2708-6', '2026-01-01T00:00:01Z')],
    });
    s = reduce(s, {
      type: 'observations',
      observations: [obs('a', '2708-6', '2026-01-01T00:00:01Z'), obs('b', '2708-6', '2026-01-01T00:00:02Z')],
    });
    expect(s.history.map((o) => o.id)).toEqual(['b', 'a']);
    const many = Array.from({ length: HISTORY_LIMIT + 50 }, (_, i) =>
      obs(`m${i}`, '8867-4', new Date(1e12 + i * 1000).toISOString()),
    );
    s = reduce(s, { type: 'observations', observations: many });
    expect(s.history).toHaveLength(HISTORY_LIMIT);
  });

  it('keeps the newest reading per code and device for the cards', () => {
    const h = [
      obs('2', '2708-6', '2026-01-01T00:00:02Z'),
      obs('1', '2708-6', '2026-01-01T00:00:01Z'),
      obs('3', '8867-4', '2026-01-01T00:00:01Z'),
    ];
    expect(latestByCode(h).map((o) => o.id)).toEqual(['2', '3']);
  });

  it('formats values with the device precision and absent values in Russian', () => {
    expect(
      formatObservation('ru', { ...obs('x', '8310-5', 'z'), value: 36.6, precision: 2, unit: 'Cel' }),
    ).toBe('36.60 °C');
    expect(formatObservation('ru', obs('y', '2708-6', 'z', null))).toBe('нет значения (not-a-number)');
  });

  it('keeps the storage status from the hello, counts failed writes, and clears the error once writable', () => {
    const storage = {
      writable: true,
      notStoredTotal: 0,
      lastError: null,
      freeBytes: 5e8,
      totalBytes: 1e9,
      lowSpace: false,
      lowSpaceThresholdBytes: 2.5e8,
      at: '2026-01-01T00:00:00Z',
    };
    let s = reduce(INITIAL_STATE, {
      type: 'hello',
      data: { version: 't', instruments: [], storage, resumed: false },
    });
    const failed = (notStoredTotal: number, code = 'write_failed') => ({
      type: 'store-error' as const,
      data: { message: 'disk full', code, notStored: 2, notStoredTotal, at: 'z' },
    });
    s = reduce(s, failed(2));
    s = reduce(s, failed(4));
    expect(s.storage).toMatchObject({ writable: false, notStoredTotal: 4 });
    expect(s.storeError).toBe('disk full');
    s = reduce(s, { type: 'storage', data: { ...storage, notStoredTotal: 4 } });
    expect(s.storage).toMatchObject({ writable: true, notStoredTotal: 4 });
    expect(s.storeError).toBeNull();
    // One invalid reading says nothing about the disk.
    s = reduce(s, failed(5, 'invalid_record'));
    expect(s.storage).toMatchObject({ writable: true, notStoredTotal: 5 });
  });
});
