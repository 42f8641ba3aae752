import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { news2, type Acvpu, type News2Input, type News2Parameter } from './news2.ts';

/** A healthy adult: every parameter scores 0 on the RCP chart. */
const NORMAL: News2Input = {
  respirationRate: 16,
  spo2: 97,
  spo2Scale: 1,
  onOxygen: false,
  systolic: 120,
  pulse: 70,
  consciousness: 'A',
  temperature: 37.0,
};

function scoreOf(input: Partial<News2Input>, parameter: News2Parameter): number | 'missing' {
  const p = news2({ ...NORMAL, ...input }).parameters.find((x) => x.parameter === parameter)!;
  return p.missing ? 'missing' : p.score;
}

/**
 * Every band boundary of the Royal College of Physicians NEWS2 chart (2017), both sides of each
 * edge: [value, expected score].
 */
const CHART: Record<
  string,
  { field: keyof News2Input; parameter: News2Parameter; rows: [number, number][] }
> = {
  'respiration rate': {
    field: 'respirationRate',
    parameter: 'respirationRate',
    rows: [
      [4, 3],
      [8, 3],
      [9, 1],
      [11, 1],
      [12, 0],
      [20, 0],
      [21, 2],
      [24, 2],
      [25, 3],
      [40, 3],
    ],
  },
  'SpO2 scale 1': {
    field: 'spo2',
    parameter: 'spo2',
    rows: [
      [80, 3],
      [91, 3],
      [92, 2],
      [93, 2],
      [94, 1],
      [95, 1],
      [96, 0],
      [100, 0],
    ],
  },
  'systolic BP': {
    field: 'systolic',
    parameter: 'systolic',
    rows: [
      [70, 3],
      [90, 3],
      [91, 2],
      [100, 2],
      [101, 1],
      [110, 1],
      [111, 0],
      [219, 0],
      [220, 3],
      [250, 3],
    ],
  },
  pulse: {
    field: 'pulse',
    parameter: 'pulse',
    rows: [
      [30, 3],
      [40, 3],
      [41, 1],
      [50, 1],
      [51, 0],
      [90, 0],
      [91, 1],
      [110, 1],
      [111, 2],
      [130, 2],
      [131, 3],
      [180, 3],
    ],
  },
  temperature: {
    field: 'temperature',
    parameter: 'temperature',
    rows: [
      [34.0, 3],
      [35.0, 3],
      [35.1, 1],
      [36.0, 1],
      [36.1, 0],
      [38.0, 0],
      [38.1, 1],
      [39.0, 1],
      [39.1, 2],
      [41.0, 2],
    ],
  },
};

describe('NEWS2 against the RCP chart', () => {
  for (const [name, { field, parameter, rows }] of Object.entries(CHART)) {
    it.each(rows)(`${name} %s scores %s`, (value, expected) => {
      expect(scoreOf({ [field]: value }, parameter)).toBe(expected);
    });
  }

  it.each([
    // [SpO2, on oxygen, expected] — scale 2 (prescribed 88-92 % target)
    [80, false, 3],
    [83, false, 3],
    [84, false, 2],
    [85, false, 2],
    [86, false, 1],
    [87, false, 1],
    [88, false, 0],
    [92, false, 0],
    [88, true, 0],
    [92, true, 0],
    [93, false, 0],
    [100, false, 0],
    [93, true, 1],
    [94, true, 1],
    [95, true, 2],
    [96, true, 2],
    [97, true, 3],
    [100, true, 3],
  ] as const)('SpO2 scale 2: %s %% (oxygen %s) scores %s', (spo2, onOxygen, expected) => {
    expect(scoreOf({ spo2, spo2Scale: 2, onOxygen }, 'spo2')).toBe(expected);
  });

  it('scores supplemental oxygen 2 and air 0', () => {
    expect(scoreOf({ onOxygen: true }, 'oxygen')).toBe(2);
    expect(scoreOf({ onOxygen: false }, 'oxygen')).toBe(0);
  });

  it.each([
    ['A', 0],
    ['C', 3],
    ['V', 3],
    ['P', 3],
    ['U', 3],
  ] as const)('consciousness %s scores %s', (c: Acvpu, expected) => {
    expect(scoreOf({ consciousness: c }, 'consciousness')).toBe(expected);
  });

  it('rounds to the chart resolution: whole numbers, temperature to one decimal', () => {
    expect(scoreOf({ respirationRate: 20.4 }, 'respirationRate')).toBe(0);
    expect(scoreOf({ respirationRate: 20.5 }, 'respirationRate')).toBe(2);
    expect(scoreOf({ temperature: 36.04 }, 'temperature')).toBe(1);
    expect(scoreOf({ temperature: 36.06 }, 'temperature')).toBe(0);
  });

  it('gives 0 for a healthy adult, with low risk and no escalation', () => {
    const r = news2(NORMAL);
    expect(r).toMatchObject({
      total: 0,
      complete: true,
      risk: 'low',
      proposeUrgent: false,
      emergency: false,
    });
  });

  it('proposes urgent at a total of 5 and at any single 3, and the emergency banner at 7', () => {
    // 4: RR 21 (2) + pulse 111 (2)
    expect(news2({ ...NORMAL, respirationRate: 21, pulse: 111 })).toMatchObject({
      total: 4,
      proposeUrgent: false,
      risk: 'low',
    });
    // 5: + temperature 38.1 (1)
    expect(news2({ ...NORMAL, respirationRate: 21, pulse: 111, temperature: 38.1 })).toMatchObject({
      total: 5,
      proposeUrgent: true,
      emergency: false,
      risk: 'medium',
    });
    // a single 3 with total 3
    expect(news2({ ...NORMAL, consciousness: 'C' })).toMatchObject({
      total: 3,
      singleThree: true,
      proposeUrgent: true,
      emergency: false,
      risk: 'low-medium',
    });
    // 6 then 7
    const six = { ...NORMAL, respirationRate: 21, pulse: 111, onOxygen: true };
    expect(news2(six)).toMatchObject({ total: 6, emergency: false, risk: 'medium' });
    expect(news2({ ...six, temperature: 38.1 })).toMatchObject({ total: 7, emergency: true, risk: 'high' });
  });

  it('never scores a missing parameter as 0: the total is a lower bound and names what is missing', () => {
    const r = news2({ ...NORMAL, respirationRate: null, temperature: null, consciousness: null });
    expect(r.complete).toBe(false);
    expect(r.missing).toEqual(['respirationRate', 'consciousness', 'temperature']);
    expect(r.total).toBe(0);
    // A lower bound of 7 already is an emergency.
    const partial = news2({
      ...NORMAL,
      respirationRate: 30,
      systolic: 85,
      temperature: null,
      onOxygen: true,
    });
    expect(partial).toMatchObject({ complete: false, total: 8, emergency: true });
  });

  it('treats scale 2 at 93 % or more with unknown oxygen as missing, not as 0', () => {
    expect(scoreOf({ spo2: 95, spo2Scale: 2, onOxygen: null }, 'spo2')).toBe('missing');
    expect(scoreOf({ spo2: 90, spo2Scale: 2, onOxygen: null }, 'spo2')).toBe(0);
  });

  it('is monotone: the total of a complete set equals the sum of its parameters and stays in 0..20', () => {
    const acvpu = fc.constantFrom<Acvpu>('A', 'C', 'V', 'P', 'U');
    fc.assert(
      fc.property(
        fc.record({
          respirationRate: fc.integer({ min: 0, max: 70 }),
          spo2: fc.integer({ min: 50, max: 100 }),
          spo2Scale: fc.constantFrom<1 | 2>(1, 2),
          onOxygen: fc.boolean(),
          systolic: fc.integer({ min: 40, max: 300 }),
          pulse: fc.integer({ min: 20, max: 250 }),
          consciousness: acvpu,
          temperature: fc.integer({ min: 300, max: 430 }).map((t) => t / 10),
        }),
        (input) => {
          const r = news2(input);
          const sum = r.parameters.reduce((s, p) => s + (p.missing ? 0 : p.score), 0);
          expect(r.complete).toBe(true);
          expect(r.total).toBe(sum);
          expect(r.total).toBeLessThanOrEqual(20);
          expect(r.emergency).toBe(r.total >= 7);
        },
      ),
    );
  });
});
