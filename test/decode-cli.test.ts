import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadVectors, mismatches } from '../ble-devices/codecs/testing/vectors.ts';
import type { Json } from '../ble-devices/codecs/codec.ts';

const BIN = fileURLToPath(new URL('../bin/fieldkit.js', import.meta.url));

function fieldkit(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const byId = new Map(loadVectors().map((v) => [v.id, v]));

describe('fieldkit decode (spawned)', () => {
  it.each([
    ['PLX-05', '0x2A5E'],
    ['HTS-01', '2a1c'],
    ['GLS-02', '00002a18-0000-1000-8000-00805f9b34fb'],
    ['RACP-07', '0x2A52'],
    ['SF-10', 'sfloat'],
    ['CMS-04', 'contec_live_9byte'],
  ])('%s via %s prints JSON containing the expected keys', (id, key) => {
    const v = byId.get(id)!;
    const r = fieldkit('decode', key, v.hex);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(mismatches(v.expected, JSON.parse(r.stdout) as Json)).toEqual([]);
  });

  it('rejects a truncated frame with exit 1 and one typed line naming field and offset', () => {
    const r = fieldkit('decode', '0x2A37', '17 01 01');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/truncated: heart_rate_measurement\.rr_interval at offset 3/);
    expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('rejects a frame cut mid-field the same way', () => {
    const r = fieldkit('decode', '2A5F', '00 64 00 5A');
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/truncated: .*\.pr at offset 3/)]);
  });

  it('names an unknown characteristic and bad hex in one line', () => {
    const unknown = fieldkit('decode', '0x2AFF', '00');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/unknown_codec/)]);
    const hex = fieldkit('decode', '2A19', 'XYZ');
    expect(hex.code).toBe(1);
    expect(hex.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/bad_hex/)]);
  });

  it('keeps an unknown RACP op code as its number (0x0C), not "reserved"', () => {
    const r = fieldkit('decode', '2A52', '06 00 0C 02');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      request_opcode: '0x0C',
      response_code: 'op_code_not_supported',
    });
  });
});
