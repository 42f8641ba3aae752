import { describe, expect, it } from 'vitest';
import { bloodPressureMeasurement } from './blood-pressure.ts';
import { bodyCompositionMeasurement } from './body-composition.ts';
import type { Codec } from './codec.ts';
import { CodecError } from './errors.ts';
import { glucoseContext } from './glucose-context.ts';
import { glucoseMeasurement } from './glucose.ts';
import { heartRateMeasurement } from './heart-rate.ts';
import type { MderFloat } from './ieee11073-float.ts';
import { plxContinuous } from './plx-continuous.ts';
import { plxFeatures } from './plx-features.ts';
import { plxSpotCheck } from './plx-spot-check.ts';
import { temperatureMeasurement } from './temperature.ts';
import { weightMeasurement } from './weight.ts';

const n = (mantissa: number, exponent: number): MderFloat => ({ kind: 'number', mantissa, exponent });
const ts = { year: 2024, month: 3, day: 15, hours: 8, minutes: 30, seconds: 0 };

interface Case {
  readonly codec: Codec<unknown>;
  readonly base: Record<string, unknown>;
  readonly optional: Record<string, Record<string, unknown>>;
}

/** For each flag-driven layout: the value with every optional field absent, and each field's patch. */
const CASES: Case[] = [
  {
    codec: heartRateMeasurement,
    base: {
      heartRate: 72,
      format: 'uint8',
      sensorContact: 'not_supported',
      energyExpended: null,
      rrIntervals: [],
    },
    optional: {
      uint16: { format: 'uint16', heartRate: 300 },
      contact: { sensorContact: 'detected' },
      energy: { energyExpended: 1234 },
      rr: { rrIntervals: [1024] },
    },
  },
  {
    codec: bloodPressureMeasurement,
    base: {
      unit: 'mmHg',
      systolic: n(120, 0),
      diastolic: n(80, 0),
      meanArterial: n(93, 0),
      timestamp: null,
      pulseRate: null,
      userId: null,
      status: null,
    },
    optional: {
      kpa: { unit: 'kPa' },
      timestamp: { timestamp: ts },
      pulse: { pulseRate: n(60, 0) },
      user: { userId: 3 },
      status: { status: 5 },
    },
  },
  {
    codec: temperatureMeasurement,
    base: { unit: 'Cel', value: n(3760, -2), timestamp: null, temperatureType: null },
    optional: { fahrenheit: { unit: '[degF]' }, timestamp: { timestamp: ts }, type: { temperatureType: 2 } },
  },
  {
    codec: plxSpotCheck,
    base: {
      spo2: n(97, 0),
      pr: n(70, 0),
      timestamp: null,
      measurementStatus: null,
      deviceSensorStatus: null,
      pulseAmplitudeIndex: null,
      deviceClockNotSet: false,
    },
    optional: {
      timestamp: { timestamp: ts },
      status: { measurementStatus: 0x20 },
      device: { deviceSensorStatus: 0x22 },
      pai: { pulseAmplitudeIndex: n(87, -1) },
      clock: { deviceClockNotSet: true },
    },
  },
  {
    codec: plxContinuous,
    base: {
      spo2: n(97, 0),
      pr: n(70, 0),
      fast: null,
      slow: null,
      measurementStatus: null,
      deviceSensorStatus: null,
      pulseAmplitudeIndex: null,
    },
    optional: {
      fast: { fast: { spo2: n(96, 0), pr: n(71, 0) } },
      slow: { slow: { spo2: n(98, 0), pr: n(69, 0) } },
      status: { measurementStatus: 0x20 },
      device: { deviceSensorStatus: 0x22 },
      pai: { pulseAmplitudeIndex: n(87, -1) },
    },
  },
  {
    codec: plxFeatures,
    base: { supported: 0x80, measurementStatusSupport: null, deviceSensorStatusSupport: null },
    optional: {
      ms: { supported: 0x81, measurementStatusSupport: 0x1040 },
      dss: { supported: 0x82, deviceSensorStatusSupport: 0x180 },
    },
  },
  {
    codec: glucoseMeasurement,
    base: {
      sequenceNumber: 5,
      baseTime: ts,
      timeOffsetMinutes: null,
      concentration: null,
      sensorStatus: null,
      contextFollows: false,
    },
    optional: {
      offset: { timeOffsetMinutes: -90 },
      concentration: { concentration: { value: n(58, -4), unit: 'mol/L', type: 1, sampleLocation: 1 } },
      status: { sensorStatus: 0x0800 },
      context: { contextFollows: true },
    },
  },
  {
    codec: glucoseContext,
    base: {
      sequenceNumber: 5,
      extendedFlags: null,
      carbohydrate: null,
      meal: null,
      testerHealth: null,
      exercise: null,
      medication: null,
      hba1c: null,
    },
    optional: {
      extended: { extendedFlags: 0 },
      carbohydrate: { carbohydrate: { id: 1, value: n(50, -3) } },
      meal: { meal: 2 },
      tester: { testerHealth: { tester: 1, health: 5 } },
      exercise: { exercise: { durationSeconds: 1800, intensityPercent: 60 } },
      medication: { medication: { id: 1, value: n(10, -3), unit: 'L' } },
      hba1c: { hba1c: n(65, -1) },
    },
  },
  {
    codec: weightMeasurement,
    base: { imperial: false, weightRaw: 14000, timestamp: null, userId: null, bmiRaw: null, heightRaw: null },
    optional: {
      imperial: { imperial: true },
      timestamp: { timestamp: ts },
      user: { userId: 5 },
      bmi: { bmiRaw: 245, heightRaw: 1750 },
    },
  },
  {
    codec: bodyCompositionMeasurement,
    base: {
      imperial: false,
      bodyFatRaw: 225,
      timestamp: null,
      userId: null,
      fields: {},
      multiplePacket: false,
    },
    optional: {
      imperial: { imperial: true },
      timestamp: { timestamp: ts },
      user: { userId: 1 },
      basal: { fields: { basalMetabolism: 6000 } },
      muscle: { fields: { musclePercent: 400, muscleMass: 6000 } },
      lean: { fields: { fatFreeMass: 11000, softLeanMass: 10000, bodyWaterMass: 8000 } },
      impedance: { fields: { impedance: 5000 } },
      weightHeight: { fields: { weight: 14000, height: 1750 } },
      multiple: { multiplePacket: true },
    },
  },
];

function merge(base: Record<string, unknown>, patches: Record<string, unknown>[]): Record<string, unknown> {
  const out = { ...base };
  for (const p of patches) {
    for (const [k, v] of Object.entries(p)) {
      // Nested field maps merge; PLX feature words OR (each patch sets its own presence bit).
      if (k === 'fields') out[k] = { ...(out.fields as object), ...(v as object) };
      else if (k === 'supported') out[k] = (out.supported as number) | (v as number);
      else out[k] = v;
    }
  }
  return out;
}

function variants(c: Case): [string, Record<string, unknown>][] {
  const names = Object.keys(c.optional);
  return [
    ['none', c.base],
    ...names.map((name): [string, Record<string, unknown>] => [name, merge(c.base, [c.optional[name]!])]),
    ['all', merge(c.base, Object.values(c.optional))],
  ];
}

function thrown(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CodecError) return err;
    throw err;
  }
  throw new Error('expected a CodecError');
}

describe.each(CASES.map((c) => [c.codec.name, c] as const))('%s edge frames', (_name, c) => {
  it.each(variants(c))('optional field set "%s" round-trips', (_v, value) => {
    const bytes = c.codec.encode(value);
    expect(bytes.byteLength).toBeLessThanOrEqual(c.codec.maxBytes);
    expect(c.codec.decode(bytes)).toEqual(value);
  });

  it.each(variants(c))(
    '"%s" truncated at every offset fails as truncated, naming field and offset',
    (_v, value) => {
      const bytes = c.codec.encode(value);
      for (let len = 0; len < bytes.byteLength; len++) {
        const err = thrown(() => c.codec.decode(bytes.subarray(0, len)));
        expect(err.code).toBe('truncated');
        expect(err.offset).toBeLessThanOrEqual(len);
        expect(err.message).toMatch(new RegExp(`^truncated: ${c.codec.name}\\.\\S+ at offset \\d+: `));
      }
    },
  );

  it.each(variants(c))('"%s" with a trailing byte is refused', (_v, value) => {
    const bytes = c.codec.encode(value);
    const longer = Uint8Array.from([...bytes, 0x00]);
    const err = thrown(() => c.codec.decode(longer));
    if (c.codec === (heartRateMeasurement as Codec<unknown>)) {
      expect(['truncated', 'trailing_bytes']).toContain(err.code);
    } else {
      expect(['trailing_bytes', 'too_long']).toContain(err.code);
    }
  });
});

describe('heart rate RR policy', () => {
  it('accepts as many whole RR values as fit, oldest first', () => {
    const m = heartRateMeasurement.decode(Uint8Array.from([0x10, 72, 0x00, 0x04, 0x3a, 0x03, 0x01, 0x00]));
    expect(m.rrIntervals).toEqual([1024, 826, 1]);
  });

  it('rejects an odd RR tail as truncated at the half value', () => {
    const err = thrown(() => heartRateMeasurement.decode(Uint8Array.from([0x10, 72, 0x00, 0x04, 0x3a])));
    expect(err.code).toBe('truncated');
    expect(err.field).toBe('rr_interval[1]');
    expect(err.offset).toBe(4);
  });

  it('reads sensor contact 1 as not supported (the two codes mean the same)', () => {
    expect(heartRateMeasurement.decode(Uint8Array.from([0x02, 60])).sensorContact).toBe('not_supported');
  });
});

describe('reserved flag bits', () => {
  it('are ignored rather than rejected (DEVICES.md 2.1)', () => {
    const m = bloodPressureMeasurement.decode(Uint8Array.from([0xe0, 0x79, 0, 0x4f, 0, 0xff, 0x07]));
    expect(m.systolic).toEqual(n(121, 0));
  });
});
