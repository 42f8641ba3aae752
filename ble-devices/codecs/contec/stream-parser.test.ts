import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex } from '../registry.ts';
import { VALUE_ARBITRARIES } from '../testing/measurement-arbitraries.ts';
import { contecLive5, type ContecLive5 } from './frame-5byte.ts';
import { contecLive9, type ContecLive9 } from './frame-9byte.ts';
import { contecPlayback9 } from './playback-9byte.ts';
import { ContecStreamParser, type ContecFrame, type ContecGeneration } from './stream-parser.ts';

// Captured/composed frames (vectors CMS-01, CMS-03, CMS-04) as annotated hex.
const LIVE5_PULSE = parseHex('C5 3A 06 48 61'); // PR 72, SpO2 97, beep
const LIVE5_NO_FINGER = parseHex('95 00 30 00 00'); // finger out, searching, probe error
const LIVE9_VALID = parseHex('01 E0 85 B3 96 C1 E1 FF FF'); // PR 65, SpO2 97
const PLAYBACK9 = contecPlayback9.encode({
  samples: [
    { spo2: 97, pulseRate: 70 },
    { spo2: 96, pulseRate: 71 },
    { spo2: 98, pulseRate: 69 },
  ],
});

function run(generation: ContecGeneration, chunks: Uint8Array[]) {
  const parser = new ContecStreamParser({ generation });
  const frames: ContecFrame[] = [];
  for (const chunk of chunks) {
    frames.push(...parser.pushChunk(chunk));
    expect(parser.bufferedBytes).toBeLessThan(parser.frameLength);
  }
  return { frames: frames.map((f) => ({ kind: f.kind, raw: [...f.raw] })), stats: parser.stats };
}

function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [0, ...[...new Set(cuts)].sort((a, b) => a - b), bytes.length];
  return points.slice(1).map((end, i) => bytes.subarray(points[i], end));
}

const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

describe('ContecStreamParser, 5-byte generation', () => {
  // noise (bit 7 clear) - frame - broken frame (sync byte + 2 bytes, next sync) - noise - frame - frame
  const stream = cat(
    [0x12, 0x7f, 0x00],
    LIVE5_PULSE,
    [0xc5, 0x3a, 0x06],
    LIVE5_NO_FINGER,
    [0x01, 0x02],
    LIVE5_PULSE,
  );

  it('recovers every frame and counts what it dropped, by reason', () => {
    const { frames, stats } = run('5byte', [stream]);
    expect(frames.map((f) => f.raw)).toEqual([[...LIVE5_PULSE], [...LIVE5_NO_FINGER], [...LIVE5_PULSE]]);
    expect(stats).toEqual({
      bytesIn: stream.length,
      frames: 3,
      badFrames: 1,
      droppedBytes: 8,
      droppedByReason: { noise: 5, broken_frame: 3, flushed: 0 },
    });
  });

  it('gives the same result for the stream cut at every single point and every pair of points', () => {
    const whole = run('5byte', [stream]);
    for (let a = 0; a <= stream.length; a++) {
      expect(run('5byte', splitAt(stream, [a]))).toEqual(whole);
      for (let b = a; b <= stream.length; b++) expect(run('5byte', splitAt(stream, [a, b]))).toEqual(whole);
    }
  });

  it('gives the same result byte by byte', () => {
    expect(
      run(
        '5byte',
        [...stream].map((b) => Uint8Array.of(b)),
      ),
    ).toEqual(run('5byte', [stream]));
  });

  it('finds generated frames amid random noise in any chunking (property)', () => {
    const noise = fc.uint8Array({ maxLength: 6 }).map((a) => a.map((b) => b & 0x7f)); // cannot start a frame
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, VALUE_ARBITRARIES.contec_live_5byte!), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (items, cuts) => {
          const frames = items.map(([, v]) => contecLive5.encode(v as ContecLive5));
          const bytes = cat(...items.flatMap(([n], i) => [n, frames[i]!]));
          const out = run(
            '5byte',
            splitAt(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
          );
          expect(out.frames.map((f) => f.raw)).toEqual(frames.map((f) => [...f]));
          expect(out.stats.droppedByReason.noise).toBe(items.reduce((s, [n]) => s + n.length, 0));
        },
      ),
    );
  });

  it('decodes the frame it emits', () => {
    const parser = new ContecStreamParser({ generation: '5byte' });
    const [frame] = parser.pushChunk(LIVE5_PULSE);
    expect(frame?.kind === 'live5' && frame.frame).toMatchObject({ pulseRate: 72, spo2: 97, beep: true });
  });

  it('counts a held partial frame when flushed', () => {
    const parser = new ContecStreamParser({ generation: '5byte' });
    parser.pushChunk(LIVE5_PULSE.subarray(0, 3));
    expect(parser.bufferedBytes).toBe(3);
    parser.flush();
    expect(parser.stats.droppedByReason.flushed).toBe(3);
    expect(parser.bufferedBytes).toBe(0);
  });
});

describe('ContecStreamParser, 9-byte generation', () => {
  // noise - live - broken live (01 then a bit-7-clear byte) - playback - stray 0x0F - live
  const stream = cat(
    [0x55, 0xaa],
    LIVE9_VALID,
    [0x01, 0xe0, 0x85, 0x33],
    PLAYBACK9,
    [0x0f, 0x10],
    LIVE9_VALID,
  );

  it('recovers live and playback frames and counts drops', () => {
    const { frames, stats } = run('9byte', [stream]);
    expect(frames.map((f) => f.kind)).toEqual(['live9', 'playback9', 'live9']);
    expect(stats.badFrames).toBe(2);
    expect(stats.droppedByReason).toEqual({ noise: 4, broken_frame: 4, flushed: 0 });
    expect(stats.droppedBytes + stats.frames * 9).toBe(stream.length);
  });

  it('gives the same result for every two-way and three-way split', () => {
    const whole = run('9byte', [stream]);
    for (let a = 0; a <= stream.length; a++) {
      for (let b = a; b <= stream.length; b++) expect(run('9byte', splitAt(stream, [a, b]))).toEqual(whole);
    }
  });

  it('finds generated live frames amid noise in any chunking (property)', () => {
    const noise = fc
      .uint8Array({ maxLength: 6 })
      .map((a) => a.map((b) => (b === 0x01 || b === 0x0f ? 0x00 : b)));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, VALUE_ARBITRARIES.contec_live_9byte!), { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (items, cuts) => {
          const frames = items.map(([, v]) => contecLive9.encode(v as ContecLive9));
          const bytes = cat(...items.flatMap(([n], i) => [n, frames[i]!]));
          const out = run(
            '9byte',
            splitAt(
              bytes,
              cuts.map((c) => c % (bytes.length + 1)),
            ),
          );
          expect(out.frames.map((f) => f.raw)).toEqual(frames.map((f) => [...f]));
        },
      ),
    );
  });

  it('rejects an unknown generation at construction', () => {
    expect(() => new ContecStreamParser({ generation: '7byte' as ContecGeneration })).toThrow(/generation/);
  });
});
