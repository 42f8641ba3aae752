import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CodecError } from '../errors.ts';
import { parseHex } from '../registry.ts';
import { pmdRequest, pmdResponse, responseSettings, settingsParameters } from './pmd-control-point.ts';
import { pmdEcgFrame } from './pmd-ecg-frame.ts';
import { pmdFeatures } from './pmd-features.ts';
import { H10_DEFAULT_CLOCK_NS, POLAR_EPOCH_UNIX_MS, polarToUnixNs, sampleTimesNs } from './pmd-time.ts';

// Vectors below are copied byte for byte from polar-ble-sdk's own unit tests (repository
// polarofficial/polar-ble-sdk, Android library, src/test/java/com/polar/androidcommunications/
// api/ble/model/gatt/client/pmd/...), read through the code index:
//   model/EcgDataTest.kt @ 0aabf34a84cd3760ed5de52350a91340659ace95
//   BlePmdClientControlPointResponseTest.kt @ 2692dc448e7cc8bdaac65d7f6ac4f48c1aef748f
//   PmdSettingTest.kt @ f83e7bad67ecc691a96dcb5eacf8f72bc40801be
//   PmdDataFrameValidationTest.kt @ 3d15da61dd0c63e6be2582d03fd80f6c7ba02e11
//   model/PmdTimeStampUtilsTest.kt @ f83e7bad67ecc691a96dcb5eacf8f72bc40801be

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    if (err instanceof CodecError) return err.code;
    throw err;
  }
  return 'ok';
}

describe('PMD ECG data frame', () => {
  it("decodes the SDK's 'process raw ecg data type 0' frame to its documented samples", () => {
    // 00 (ECG) | 00 94 35 77 00 00 00 00 (timestamp 2000000000 ns) | 00 (raw type 0) | 02 80 FF, 02 80 00
    const frame = parseHex('00 00 94 35 77 00 00 00 00 00 02 80 FF 02 80 00');
    expect(pmdEcgFrame.decode(frame)).toEqual({ timestampNs: 2_000_000_000n, samples: [-32766, 32770] });
    expect([...pmdEcgFrame.encode({ timestampNs: 2_000_000_000n, samples: [-32766, 32770] })]).toEqual([
      ...frame,
    ]);
  });

  it("refuses the SDK's type 1, 2 and 3 ECG frames as unsupported (the H10 sends type 0)", () => {
    for (const hex of [
      '00 00 94 35 77 00 00 00 00 01 02 80 FF 80 02 00',
      '00 00 94 35 77 00 00 00 00 02 80 80 FC FF FF 03',
      '00 00 94 35 77 00 00 00 00 03 00 12 03 11 10 04 00 02 80 F0 11 10 04 FF',
    ]) {
      expect(codeOf(() => pmdEcgFrame.decode(parseHex(hex)))).toBe('unsupported');
    }
  });

  it('refuses a compressed (delta) ECG frame with a typed error naming it', () => {
    const compressed = parseHex('00 00 94 35 77 00 00 00 00 80 01 02 03');
    expect(() => pmdEcgFrame.decode(compressed)).toThrow(
      /^unsupported: pmd_ecg_data\.frame_type .*compressed/,
    );
  });

  it("follows the SDK's size validation: empty and 9-byte frames are truncated, 10 bytes hold no samples", () => {
    expect(codeOf(() => pmdEcgFrame.decode(new Uint8Array(0)))).toBe('truncated');
    expect(codeOf(() => pmdEcgFrame.decode(new Uint8Array(9)))).toBe('truncated');
    expect(pmdEcgFrame.decode(new Uint8Array(10))).toEqual({ timestampNs: 0n, samples: [] });
  });

  it('refuses another measurement type and a partial trailing sample', () => {
    expect(codeOf(() => pmdEcgFrame.decode(parseHex('02 00 00 00 00 00 00 00 00 00')))).toBe('invalid_value');
    expect(codeOf(() => pmdEcgFrame.decode(parseHex('00 00 00 00 00 00 00 00 00 00 01 02')))).toBe(
      'truncated',
    );
  });

  it('gives a typed error or a frame at every cut of every generated frame (byte-boundary fuzz)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.array(fc.integer({ min: -0x800000, max: 0x7fffff }), { minLength: 1, maxLength: 73 }),
        (ts, samples) => {
          const bytes = pmdEcgFrame.encode({ timestampNs: ts, samples });
          for (let cut = 0; cut <= bytes.length; cut++) {
            const code = codeOf(() => pmdEcgFrame.decode(bytes.subarray(0, cut)));
            const whole = cut >= 10 && (cut - 10) % 3 === 0;
            expect(code).toBe(whole ? 'ok' : 'truncated');
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('PMD control point', () => {
  it('encodes the H10 ECG start request: 130 Hz, 14-bit', () => {
    const start = pmdRequest.encode({
      op: 'request_measurement_start',
      measurementType: 0,
      recording: 'online',
      settings: [
        { type: 'sample_rate', values: [130] },
        { type: 'resolution', values: [14] },
      ],
    });
    expect(start).toEqual(parseHex('02 00 00 01 82 00 01 01 0E 00'));
    expect(
      pmdRequest.encode({
        op: 'get_measurement_settings',
        measurementType: 0,
        recording: 'online',
        settings: [],
      }),
    ).toEqual(parseHex('01 00'));
    expect(
      pmdRequest.encode({ op: 'stop_measurement', measurementType: 0, recording: 'online', settings: [] }),
    ).toEqual(parseHex('03 00'));
  });

  it("decodes the SDK's success response for acc stream settings", () => {
    expect(pmdResponse.decode(parseHex('F0 01 02 00 00 FF FF FF'))).toEqual({
      kind: 'response',
      op: 1,
      measurementType: 2,
      status: 0,
      more: false,
      parameters: [0xff, 0xff, 0xff],
    });
  });

  it("decodes the SDK's failing response for mag settings with its error code", () => {
    const r = pmdResponse.decode(parseHex('F0 01 06 07 00'));
    expect(r).toMatchObject({ kind: 'response', op: 1, measurementType: 6, status: 7, more: false });
    expect(pmdResponse.toJson(r)).toMatchObject({
      status: 'invalid_resolution',
      op: 'get_measurement_settings',
    });
  });

  it("parses the SDK's settings vectors (PmdSettingTest)", () => {
    const withRange = responseSettings([
      ...parseHex('00 01 34 00 01 01 10 00 02 04 F5 00 F4 01 E8 03 D0 07 04 01 03'),
    ]);
    expect(withRange).toEqual([
      { type: 'sample_rate', values: [52] },
      { type: 'resolution', values: [16] },
      { type: 'range', values: [245, 500, 1000, 2000] },
      { type: 'channels', values: [3] },
    ]);
    const milli = responseSettings([...parseHex('03 02 FF FF FF FF FF 00 00 00 01 01 0E 00')]);
    expect(milli).toEqual([
      { type: 'range_milliunit', values: [-1, 255] },
      { type: 'resolution', values: [14] },
    ]);
    expect(settingsParameters(milli)).toEqual([...parseHex('03 02 FF FF FF FF FF 00 00 00 01 01 0E 00')]);
  });

  it('reads the service-initiated "online measurement stopped" message', () => {
    expect(pmdResponse.decode(parseHex('01 00'))).toEqual({
      kind: 'measurement_stopped',
      measurementTypes: [0],
    });
  });

  it('refuses an unknown setting type, an op the kit does not speak, and a bad more byte', () => {
    expect(codeOf(() => responseSettings([9, 1, 0]))).toBe('invalid_value');
    expect(codeOf(() => pmdRequest.decode(parseHex('09 00')))).toBe('invalid_value');
    expect(codeOf(() => pmdResponse.decode(parseHex('F0 01 00 00 05')))).toBe('invalid_value');
    expect(codeOf(() => pmdRequest.decode(parseHex('01 00 00 01 82 00')))).toBe('trailing_bytes');
  });

  it('reads the feature bits the SDK reads', () => {
    expect(pmdFeatures.decode(parseHex('0F 05 00'))).toEqual({ header: 0x0f, measurementTypes: [0, 2] });
  });

  it('gives a typed error at every cut of a settings response (byte-boundary fuzz)', () => {
    const full = parseHex('F0 02 00 00 00 00 01 82 00 01 01 0E 00 05 01 00 00 80 3F');
    for (let cut = 0; cut <= full.length; cut++) {
      const out = codeOf(() => {
        const r = pmdResponse.decode(full.subarray(0, cut));
        if (r.kind === 'response') responseSettings(r.parameters);
      });
      expect(['ok', 'truncated']).toContain(out);
    }
  });
});

describe('PMD time', () => {
  it("spaces a first frame's samples by 1/rate back from the last (SDK: based on frequency)", () => {
    const t = sampleTimesNs(null, 10_000_000_000n, 10, 1);
    expect(t).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => BigInt(s) * 1_000_000_000n));
  });

  it("spaces later frames' samples from the previous frame's time (SDK: based on previous time stamp)", () => {
    expect(sampleTimesNs(1_000_000_000n, 11_000_000_000n, 10, 1)).toEqual(
      [2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((s) => BigInt(s) * 1_000_000_000n),
    );
    expect(sampleTimesNs(100n, 2_000_000_000n, 3, 1)).toEqual([666_666_733n, 1_333_333_367n, 2_000_000_000n]);
    expect(sampleTimesNs(1_000_000_000n, 2_000_000_000n, 1, 1)).toEqual([2_000_000_000n]);
  });

  it('refuses times before 2000 and frames that do not move forward', () => {
    expect(codeOf(() => sampleTimesNs(null, 100_000n, 100, 52))).toBe('invalid_value');
    expect(codeOf(() => sampleTimesNs(5n, 5n, 3, 130))).toBe('invalid_value');
  });

  it('knows the H10 default clock is 2019-01-01T00:00:00', () => {
    const unixMs = Number(polarToUnixNs(H10_DEFAULT_CLOCK_NS) / 1_000_000n);
    expect(new Date(unixMs).toISOString()).toBe('2019-01-01T00:00:00.000Z');
    expect(new Date(POLAR_EPOCH_UNIX_MS).toISOString()).toBe('2000-01-01T00:00:00.000Z');
  });
});
