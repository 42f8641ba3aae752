import { describe, expect, it } from 'vitest';
import { heartRateMeasurement } from './heart-rate.ts';
import { decodeWithProvenance, provenanceOf } from './provenance.ts';
import { CODECS, findCodec, parseHex } from './registry.ts';
import { contecLive5 } from './contec/frame-5byte.ts';

describe('codec registry', () => {
  it('has unique names and unique GATT UUIDs', () => {
    const names = CODECS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const uuids = CODECS.flatMap((c) => (c.uuid === null ? [] : [c.uuid]));
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('gives every codec a semver version and an ATT-sized limit', () => {
    for (const c of CODECS) {
      expect(c.version, c.name).toMatch(/^\d+\.\d+\.\d+$/);
      expect(c.maxBytes, c.name).toBeLessThanOrEqual(512);
    }
  });

  it('finds a codec by every UUID spelling and by profile name', () => {
    for (const key of [
      '0x2A37',
      '2a37',
      '2A37',
      '00002A37-0000-1000-8000-00805F9B34FB',
      'heart_rate_measurement',
    ]) {
      expect(findCodec(key)).toBe(heartRateMeasurement);
    }
    expect(findCodec('0x2A52').name).toBe('record_access_control_point');
  });

  it('refuses frames over the limit before parsing', () => {
    expect(() => heartRateMeasurement.decode(new Uint8Array(513))).toThrow(/^too_long: /);
  });

  it('throws unknown_codec for an unknown key', () => {
    expect(() => findCodec('0x2AFF')).toThrow(/unknown_codec/);
    expect(() => findCodec('nonsense')).toThrow(/unknown_codec/);
  });

  it('parses the hex spellings people paste', () => {
    expect(parseHex('0x00,0x64 00:5A')).toEqual(Uint8Array.of(0x00, 0x64, 0x00, 0x5a));
    expect(() => parseHex('0G')).toThrow(/bad_hex/);
  });
});

describe('reading provenance', () => {
  it('keeps a copy of the bytes, the codec and version, and the short UUID', () => {
    const raw = parseHex('04 FF');
    const p = provenanceOf(heartRateMeasurement, raw, '00002a37-0000-1000-8000-00805f9b34fb');
    raw[0] = 0;
    expect(p).toEqual({
      raw: Uint8Array.of(4, 0xff),
      codec: 'heart_rate_measurement',
      codecVersion: '1.0.0',
      characteristic: '2a37',
    });
  });

  it('names serial formats by codec and decodes in the same step', () => {
    const r = decodeWithProvenance(contecLive5, parseHex('C5 3A 06 48 61'));
    expect(r.value.pulseRate).toBe(72);
    expect(r.provenance.characteristic).toBe('contec_live_5byte');
  });
});
