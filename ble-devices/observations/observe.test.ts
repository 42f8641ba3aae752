import { describe, expect, it } from 'vitest';
import { findCodec, parseHex } from '../codecs/registry.ts';
import { observe } from './index.ts';
import type { ObserveContext } from './observation-draft.ts';

const ctx: ObserveContext = {
  receivedAt: new Date('2024-03-15T10:00:00.000Z'),
  utcOffsetMinutes: 60,
  deviceClockOffsetMs: 30_000,
};

function drafts(key: string, hex: string) {
  const codec = findCodec(key);
  return observe(codec.name, codec.decode(parseHex(hex)), ctx);
}

describe('observe()', () => {
  it('maps a strap heart rate to 8867-4 with the ECG MDC code at collector time', () => {
    const [hr] = drafts('2A37', '10 48 00 04 3A 03');
    expect(hr).toMatchObject({
      code: { loinc: '8867-4', mdc: 147842 },
      value: { kind: 'quantity', value: 72, unit: '/min' },
      effectiveAt: '2024-03-15T10:00:00.000Z',
    });
  });

  it('makes no heart-rate observation when the strap reports no skin contact', () => {
    expect(drafts('2A37', '04 FF')).toEqual([]);
  });

  it('keeps temperature units and precision, uses the device time corrected by the clock offset, and the site', () => {
    const [t] = drafts('2A1C', '06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04');
    expect(t).toMatchObject({
      code: { loinc: '8310-5', mdc: 150364 },
      value: { kind: 'quantity', value: 37.6, precision: 2, unit: 'Cel' },
      // 11:50:27 local at UTC+1 = 10:50:27Z, plus the 30 s clock offset.
      effectiveAt: '2012-12-05T10:50:57.000Z',
      bodySite: 'finger',
    });
    expect(drafts('2A1C', '05 DA 03 00 FF 06')[0]?.value).toMatchObject({ value: 98.6, unit: '[degF]' });
  });

  it('turns a FLOAT NaN into a data-absent reason, never a number', () => {
    expect(drafts('2A1C', '00 FF FF 7F 00')[0]?.value).toEqual({ kind: 'absent', reason: 'not-a-number' });
  });

  it('makes no observation for display-only characteristics', () => {
    expect(drafts('2A1E', '00 6F 01 00 FF')).toEqual([]);
    expect(drafts('2A36', '00 38 00 FF 07 FF 07')).toEqual([]);
    expect(drafts('2A38', '01')).toEqual([]);
  });

  it('maps a spot-check with NaN values and an unset clock to absent values at collector time', () => {
    const out = drafts('2A5E', '10 FF 07 FF 07');
    expect(out.map((d) => d.value)).toEqual([
      { kind: 'absent', reason: 'not-a-number' },
      { kind: 'absent', reason: 'not-a-number' },
    ]);
    expect(out[0]?.effectiveAt).toBe('2024-03-15T10:00:00.000Z');
  });

  it('maps spot-check SpO2/PR at the device time', () => {
    const out = drafts('2A5E', '0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3');
    expect(out[0]).toMatchObject({ code: { loinc: '2708-6' }, status: 'preliminary' });
    // measurement status has "questionable measurement" (bit 14): absent.
    expect(out[0]?.value).toEqual({ kind: 'absent', reason: 'error' });
    expect(out[0]?.effectiveAt).toBe('2024-11-29T22:09:27.000Z');
  });

  it('converts glucose kg/L to mg/dL and mol/L to mmol/L exactly, with capillary LOINC and MDC', () => {
    const [mass] = drafts('2A18', '02 05 00 E8 07 03 0F 07 2D 00 69 B0 11');
    expect(mass).toMatchObject({
      code: { loinc: '41653-7', mdc: 160184 },
      value: { kind: 'quantity', value: 105, precision: 0, unit: 'mg/dL' },
      category: 'laboratory',
    });
    const [molar] = drafts('2A18', '06 06 00 E8 07 03 0F 0C 00 00 3A C0 11');
    expect(molar).toMatchObject({
      code: { loinc: '14743-9' },
      value: { value: 5.8, precision: 1, unit: 'mmol/L' },
    });
  });

  it('masks control-solution glucose and applies the time offset', () => {
    // Time offset -30 min, type 10 (control solution), location 4.
    const [qc] = drafts('2A18', '03 07 00 E8 07 03 0F 0C 00 00 E2 FF 69 B0 4A');
    expect(qc?.value).toEqual({ kind: 'absent', reason: 'masked' });
    expect(qc?.code.mdc).toBe(160208);
    expect(qc?.effectiveAt).toBe('2024-03-15T10:30:30.000Z');
  });

  it('maps the glucose context HbA1c', () => {
    expect(drafts('2A34', '40 05 00 41 F0')[0]).toMatchObject({
      code: { loinc: '4548-4', mdc: 160220 },
      value: { value: 6.5, unit: '%' },
    });
    expect(drafts('2A34', '06 05 00 02 51')).toEqual([]);
  });

  it('maps weight, BMI and height in their units', () => {
    const out = drafts('2A9D', '0E B0 36 E7 07 0C 19 0E 1E 2D 05 F5 00 D6 06');
    expect(out.map((d) => [d.code.loinc, d.value])).toEqual([
      ['29463-7', { kind: 'quantity', value: 70, precision: 3, unit: 'kg' }],
      ['39156-5', { kind: 'quantity', value: 24.5, precision: 1, unit: 'kg/m2' }],
      ['8302-2', { kind: 'quantity', value: 175, precision: 1, unit: 'cm' }],
    ]);
    expect(drafts('2A9D', '09 54 3D F5 00 BE 02').map((d) => d.value)).toContainEqual({
      kind: 'quantity',
      value: 70.2,
      precision: 1,
      unit: '[in_i]',
    });
  });

  it('records an unsuccessful weighing as absent', () => {
    expect(drafts('2A9D', '00 FF FF')[0]?.value).toEqual({ kind: 'absent', reason: 'error' });
  });

  it('maps body composition fat % and weight', () => {
    expect(drafts('2A9C', '00 04 E1 00 B0 36').map((d) => [d.code.loinc, d.value])).toEqual([
      ['41982-0', { kind: 'quantity', value: 22.5, precision: 1, unit: '%' }],
      ['29463-7', { kind: 'quantity', value: 70, precision: 3, unit: 'kg' }],
    ]);
  });

  it('maps CMS50 frames only when the oximeter has a reading', () => {
    expect(drafts('contec_live_5byte', 'C5 3A 06 48 61').map((d) => [d.code.loinc, d.value])).toEqual([
      ['2708-6', { kind: 'quantity', value: 97, precision: 0, unit: '%' }],
      ['8867-4', { kind: 'quantity', value: 72, precision: 0, unit: '/min' }],
    ]);
    expect(drafts('contec_live_5byte', '95 00 30 00 00')).toEqual([]);
    expect(drafts('contec_live_9byte', '01 E0 85 B3 96 C1 E1 FF FF')).toHaveLength(2);
    expect(drafts('contec_live_9byte', '01 E2 85 B3 96 C1 E1 FF FF')).toEqual([]);
  });

  it('returns nothing for codecs that are not measurements', () => {
    expect(drafts('2A19', '5A')).toEqual([]);
    expect(observe('no_such_codec', {}, ctx)).toEqual([]);
  });
});
