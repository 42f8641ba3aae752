import fc from 'fast-check';
import type { Codec } from '../codec.ts';
import type { RacpMessage } from '../racp.ts';
import { dateTimeArb, floatArb, opt, sfloatArb, uint } from './arbitraries.ts';
import { PMD_ARBITRARIES } from './pmd-arbitraries.ts';

const u8 = uint(8);
const u16 = uint(16);
const nibble = uint(4);
const seven = uint(7);

const heartRate = fc.oneof(
  fc.record({ format: fc.constant('uint8' as const), heartRate: u8 }),
  fc.record({ format: fc.constant('uint16' as const), heartRate: u16 }),
);

const racpFilter = (operator: number) => {
  const count = operator === 4 ? 2 : operator === 2 || operator === 3 ? 1 : 0;
  if (count === 0) return fc.constant(null);
  return fc.oneof(
    fc.record({
      type: fc.constant('sequence_number' as const),
      values: fc.array(u16, { minLength: count, maxLength: count }),
    }),
    fc.record({
      type: fc.constant('user_facing_time' as const),
      values: fc.array(dateTimeArb, { minLength: count, maxLength: count }),
    }),
  );
};

const racp: fc.Arbitrary<RacpMessage> = fc.oneof(
  fc
    .record({ opCode: fc.constantFrom(1, 2, 3, 4, 7), operator: fc.integer({ min: 0, max: 10 }) })
    .chain(({ opCode, operator }) =>
      racpFilter(operator).map((filter): RacpMessage => ({ kind: 'request', opCode, operator, filter })),
    ),
  fc.constantFrom(1 as const, 2 as const, 4 as const).chain((countBytes) =>
    fc.record({
      kind: fc.constant('count' as const),
      opCode: fc.constantFrom(5 as const, 8 as const),
      count: uint(countBytes * 8),
      countBytes: fc.constant(countBytes),
    }),
  ),
  fc.record({ kind: fc.constant('response_code' as const), requestOpCode: u8, responseCode: u8 }),
);

const bodyFields = fc.record(
  {
    basalMetabolism: u16,
    musclePercent: u16,
    muscleMass: u16,
    fatFreeMass: u16,
    softLeanMass: u16,
    bodyWaterMass: u16,
    impedance: u16,
    weight: u16,
    height: u16,
  },
  { requiredKeys: [] },
);

const plxFeatures = fc.record({ rest: u16, ms: opt(u16), dss: opt(uint(24)) }).map(({ rest, ms, dss }) => ({
  supported: (rest & ~0x03) | (ms !== null ? 1 : 0) | (dss !== null ? 2 : 0),
  measurementStatusSupport: ms,
  deviceSensorStatusSupport: dss,
}));

const utf8Length = (s: string) => new TextEncoder().encode(s).byteLength;
const disString = fc
  .string({ unit: 'binary', maxLength: 100 })
  .filter((s) => !s.endsWith('\0') && utf8Length(s) <= 512);

/** A generator per codec name: every codec in the registry must have one (tests enforce it). */
export const VALUE_ARBITRARIES: Readonly<Record<string, fc.Arbitrary<unknown>>> = {
  sfloat: sfloatArb,
  float: floatArb,
  heart_rate_measurement: fc
    .record({
      hr: heartRate,
      sensorContact: fc.constantFrom(
        'not_supported' as const,
        'supported_not_detected' as const,
        'detected' as const,
      ),
      energyExpended: opt(u16),
      rrIntervals: fc.array(u16, { maxLength: 40 }),
    })
    .map(({ hr, ...rest }) => ({ ...hr, ...rest })),
  body_sensor_location: u8,
  heart_rate_control_point: u8,
  blood_pressure_measurement: bp(),
  intermediate_cuff_pressure: bp(),
  blood_pressure_feature: u16,
  temperature_measurement: temperature(),
  intermediate_temperature: temperature(),
  temperature_type: u8,
  measurement_interval: u16,
  plx_spot_check_measurement: fc.record({
    spo2: sfloatArb,
    pr: sfloatArb,
    timestamp: opt(dateTimeArb),
    measurementStatus: opt(u16),
    deviceSensorStatus: opt(uint(24)),
    pulseAmplitudeIndex: opt(sfloatArb),
    deviceClockNotSet: fc.boolean(),
  }),
  plx_continuous_measurement: fc.record({
    spo2: sfloatArb,
    pr: sfloatArb,
    fast: opt(fc.record({ spo2: sfloatArb, pr: sfloatArb })),
    slow: opt(fc.record({ spo2: sfloatArb, pr: sfloatArb })),
    measurementStatus: opt(u16),
    deviceSensorStatus: opt(uint(24)),
    pulseAmplitudeIndex: opt(sfloatArb),
  }),
  plx_features: plxFeatures,
  glucose_measurement: fc.record({
    sequenceNumber: u16,
    baseTime: dateTimeArb,
    timeOffsetMinutes: opt(fc.integer({ min: -32768, max: 32767 })),
    concentration: opt(
      fc.record({
        value: sfloatArb,
        unit: fc.constantFrom('kg/L' as const, 'mol/L' as const),
        type: nibble,
        sampleLocation: nibble,
      }),
    ),
    sensorStatus: opt(u16),
    contextFollows: fc.boolean(),
  }),
  glucose_measurement_context: fc.record({
    sequenceNumber: u16,
    extendedFlags: opt(u8),
    carbohydrate: opt(fc.record({ id: u8, value: sfloatArb })),
    meal: opt(u8),
    testerHealth: opt(fc.record({ tester: nibble, health: nibble })),
    exercise: opt(fc.record({ durationSeconds: u16, intensityPercent: u8 })),
    medication: opt(
      fc.record({ id: u8, value: sfloatArb, unit: fc.constantFrom('kg' as const, 'L' as const) }),
    ),
    hba1c: opt(sfloatArb),
  }),
  glucose_feature: u16,
  record_access_control_point: racp,
  racp_request: racp.filter((m) => m.kind === 'request'),
  racp_response: racp.filter((m) => m.kind !== 'request'),
  weight_measurement: fc
    .record({
      imperial: fc.boolean(),
      weightRaw: u16,
      timestamp: opt(dateTimeArb),
      userId: opt(u8),
      bmiHeight: opt(fc.tuple(u16, u16)),
    })
    .map(({ bmiHeight, ...rest }) => ({
      ...rest,
      bmiRaw: bmiHeight?.[0] ?? null,
      heightRaw: bmiHeight?.[1] ?? null,
    })),
  weight_scale_feature: uint(32),
  body_composition_measurement: fc.record({
    imperial: fc.boolean(),
    bodyFatRaw: u16,
    timestamp: opt(dateTimeArb),
    userId: opt(u8),
    fields: bodyFields,
    multiplePacket: fc.boolean(),
  }),
  body_composition_feature: uint(32),
  battery_level: fc.integer({ min: 0, max: 100 }),
  pnp_id: fc.record({ vendorIdSource: u8, vendorId: u16, productId: u16, productVersion: u16 }),
  system_id: fc.record({ manufacturerId: uint(40), oui: uint(24) }),
  manufacturer_name_string: disString,
  model_number_string: disString,
  serial_number_string: disString,
  hardware_revision_string: disString,
  firmware_revision_string: disString,
  software_revision_string: disString,
  current_time: fc.record({
    dateTime: dateTimeArb,
    dayOfWeek: fc.integer({ min: 0, max: 7 }),
    fractions256: u8,
    adjustReason: u8,
  }),
  local_time_information: fc.record({ timeZone: fc.integer({ min: -128, max: 127 }), dstOffset: u8 }),
  contec_live_5byte: fc.record({
    signalStrength: nibble,
    fingerOut: fc.boolean(),
    droppingSpo2: fc.boolean(),
    beep: fc.boolean(),
    pleth: seven,
    bargraph: nibble,
    probeError: fc.boolean(),
    searching: fc.boolean(),
    pulseRate: u8,
    spo2: seven,
  }),
  contec_live_9byte: fc.record({
    status: fc.integer({ min: 0x80, max: 0xff }),
    byte2: seven,
    plethA: seven,
    plethB: seven,
    pulseRate: seven,
    spo2: seven,
    tail: fc.tuple(seven, seven),
  }),
  contec_playback_9byte: fc.record({
    samples: fc.tuple(...[0, 1, 2].map(() => fc.record({ spo2: seven, pulseRate: seven }))) as fc.Arbitrary<
      [
        { spo2: number; pulseRate: number },
        { spo2: number; pulseRate: number },
        { spo2: number; pulseRate: number },
      ]
    >,
  }),
  contec_command: fc.oneof(
    fc.record({ generation: fc.constant('9byte' as const), code: fc.integer({ min: 0x80, max: 0xff }) }),
    fc.record({
      generation: fc.constant('5byte' as const),
      name: fc.constantFrom('legacy_download_start', 'legacy_download_stop'),
    }),
  ),
  ...PMD_ARBITRARIES,
};

function bp() {
  return fc.record({
    unit: fc.constantFrom('mmHg' as const, 'kPa' as const),
    systolic: sfloatArb,
    diastolic: sfloatArb,
    meanArterial: sfloatArb,
    timestamp: opt(dateTimeArb),
    pulseRate: opt(sfloatArb),
    userId: opt(u8),
    status: opt(u16),
  });
}

function temperature() {
  return fc.record({
    unit: fc.constantFrom('Cel' as const, '[degF]' as const),
    value: floatArb,
    timestamp: opt(dateTimeArb),
    temperatureType: opt(u8),
  });
}

/** The generator for a codec's values, typed to it. */
export function arbitraryFor<T>(codec: Codec<T>): fc.Arbitrary<T> | undefined {
  return VALUE_ARBITRARIES[codec.name] as fc.Arbitrary<T> | undefined;
}
