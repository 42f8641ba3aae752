import { describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { memoryIo } from './helpers/memory-io.ts';

function lines(out: string): Array<{ hex: string; codec: string; decoded: Record<string, unknown> }> {
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { hex: string; codec: string; decoded: Record<string, unknown> });
}

describe('fieldkit sim', () => {
  it('prints the oximeter frames as hex plus their decode, reproducibly for a seed', async () => {
    const a = memoryIo();
    expect(await main(['sim', 'oximeter', '--count', '5', '--rate', '50', '--seed', '9'], a)).toBe(0);
    const b = memoryIo();
    expect(await main(['sim', 'oximeter', '--count', '5', '--rate', '50', '--seed', '9'], b)).toBe(0);
    const frames = lines(a.out());
    expect(frames).toHaveLength(5);
    expect(frames.map((f) => f.hex)).toEqual(lines(b.out()).map((f) => f.hex));
    for (const f of frames) {
      expect(f.codec).toBe('plx_continuous_measurement');
      expect(f.decoded.spo2).toBeGreaterThanOrEqual(90);
    }
  });

  it('injects corrupted frames that the codec refuses with a typed error', async () => {
    const io = memoryIo();
    expect(await main(['sim', 'oximeter', '--count', '3', '--rate', '50', '--corrupt-rate', '1'], io)).toBe(
      0,
    );
    for (const f of lines(io.out()))
      expect(String(f.decoded.error)).toMatch(/^truncated: plx_continuous_measurement/);
  });

  it('refuses an unknown instrument or an out-of-range rate with exit 2', async () => {
    expect(await main(['sim', 'thermo'], memoryIo())).toBe(2);
    expect(await main(['sim', 'oximeter', '--drop-rate', '3'], memoryIo())).toBe(2);
  });
});
