import { describe, expect, it } from 'vitest';
import type { WireObservation } from '../../runtime/http/wire.ts';
import { news2 } from './news2.ts';
import { news2InputOf } from './vitals.ts';

let n = 0;
function obs(
  loinc: string,
  value: number | null,
  at: string,
  extra: Partial<WireObservation> = {},
): WireObservation {
  return {
    id: `o-${(++n).toString(16).padStart(16, '0')}`,
    loinc,
    display: loinc,
    mdc: null,
    value,
    unit: null,
    precision: 0,
    absentReason: value === null ? 'not-a-number' : null,
    components: [],
    status: 'final',
    effectiveAt: at,
    recordedAt: at,
    deviceId: 'd',
    deviceName: null,
    visitId: 'v',
    ...extra,
  };
}

describe('NEWS2 input from a visit', () => {
  it('takes the newest usable value per parameter, systolic from the BP panel, ACVPU from its ordinal', () => {
    const bp = obs('85354-9', null, '2026-01-01T10:05:00Z', {
      absentReason: null,
      components: [
        { loinc: '8480-6', display: 's', value: 88, unit: 'mm[Hg]', precision: 0, absentReason: null },
        { loinc: '8462-4', display: 'd', value: 60, unit: 'mm[Hg]', precision: 0, absentReason: null },
      ],
    });
    const list = [
      obs('59408-5', 95, '2026-01-01T10:00:00Z'),
      obs('59408-5', 91, '2026-01-01T10:10:00Z'),
      obs('59408-5', null, '2026-01-01T10:20:00Z'),
      obs('9279-1', 26, '2026-01-01T10:01:00Z'),
      obs('3151-8', 0, '2026-01-01T10:02:00Z'),
      obs('8867-4', 112, '2026-01-01T10:03:00Z'),
      obs('67775-7', 2, '2026-01-01T10:04:00Z'),
      obs('8310-5', 101.3, '2026-01-01T10:06:00Z', { unit: '[degF]' }),
      bp,
    ];
    const { input, sources } = news2InputOf(list, 1);
    expect(input).toEqual({
      respirationRate: 26,
      spo2: 91,
      spo2Scale: 1,
      onOxygen: false,
      systolic: 88,
      pulse: 112,
      consciousness: 'V',
      temperature: expect.closeTo(38.5, 1) as number,
    });
    expect(sources.systolic?.id).toBe(bp.id);
    // 3 (RR) + 3 (SpO2) + 0 + 3 (SBP) + 2 (pulse) + 3 (V) + 1 (38.5) = 15
    expect(news2(input).total).toBe(15);
  });

  it('leaves a parameter missing when the visit has no value for it', () => {
    const { input, sources } = news2InputOf([obs('59408-5', 97, '2026-01-01T10:00:00Z')], 2);
    expect(input.respirationRate).toBeNull();
    expect(input.spo2Scale).toBe(2);
    expect(sources.temperature).toBeNull();
    expect(news2(input).missing).toContain('respirationRate');
  });
});
