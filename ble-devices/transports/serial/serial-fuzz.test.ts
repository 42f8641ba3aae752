import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CMS50_SERIAL } from '../../codecs/contec/cms50-link.ts';
import { contecLive5, type ContecLive5 } from '../../codecs/contec/frame-5byte.ts';
import { contecLive9, type ContecLive9 } from '../../codecs/contec/frame-9byte.ts';
import { ContecStreamParser, type ContecGeneration } from '../../codecs/contec/stream-parser.ts';
import { VALUE_ARBITRARIES } from '../../codecs/testing/measurement-arbitraries.ts';
import { asDeviceId, type GattConnection } from '../../transport.ts';
import { Cms50Sim } from '../../../sim/serial/cms50-sim.ts';
import { StreamJudge } from './probe.ts';
import { SerialTransport } from './serial-transport.ts';

// Arbitrary bytes (noise, cut frames, valid frames) written by the simulated device into a real
// pty: the transport must deliver exactly the frames a clean parse of the same bytes finds, in
// any chunking the kernel picks, and never throw.

const frameArb = (g: ContecGeneration) =>
  g === '5byte'
    ? VALUE_ARBITRARIES.contec_live_5byte!.map((v) => contecLive5.encode(v as ContecLive5))
    : VALUE_ARBITRARIES.contec_live_9byte!.map((v) => contecLive9.encode(v as ContecLive9));

const segments = (g: ContecGeneration) =>
  fc.array(
    fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      frameArb(g),
      frameArb(g).chain((f) => fc.nat(f.length - 1).map((n) => f.subarray(0, n))),
    ),
    { maxLength: 12 },
  );

function concat(parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

describe.each(['5byte', '9byte'] as const)('serial transport under fuzzed bytes (%s)', (generation) => {
  let dir: string;
  let sim: Cms50Sim;
  let transport: SerialTransport;
  let conn: GattConnection;
  const got: number[][] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fk-fuzz-'));
    sim = await Cms50Sim.start({ protocol: generation === '5byte' ? '5byte' : 'v7' }, { dir });
    transport = new SerialTransport({ paths: [sim.kitPath], generations: [generation], keepAliveMs: 60_000 });
    conn = await transport.connect(asDeviceId(sim.kitPath));
    sim.device!.paused = true;
    await new Promise((r) => setTimeout(r, 150));
    await conn.subscribe(CMS50_SERIAL.service, CMS50_SERIAL.frames, 'notify', (v) => got.push([...v]));
  });
  afterAll(async () => {
    await transport.close();
    await sim.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers exactly the frames a clean parse finds, whatever the bytes', async () => {
    await fc.assert(
      fc.asyncProperty(segments(generation), async (parts) => {
        // Trailing zeros end any partial frame, so each run starts from a clean parser.
        const stream = concat([...parts, new Uint8Array(9)]);
        const reference = new ContecStreamParser({ generation }).pushChunk(stream).map((f) => [...f.raw]);
        got.length = 0;
        const before = transport.ports()[0]!.counters.bytesIn;
        sim.device!.sendRaw(stream);
        const end = Date.now() + 3000;
        while (transport.ports()[0]!.counters.bytesIn - before < stream.length && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 5));
        }
        expect(transport.ports()[0]!.counters.bytesIn - before).toBe(stream.length);
        expect(got).toEqual(reference);
      }),
      { numRuns: 25 },
    );
  });
});

describe('probe judge', () => {
  it('finds four frames in a row in any chunking, after any garbage', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.array(frameArb('5byte'), { minLength: 4, maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (garbage, frames, cuts) => {
          const bytes = concat([garbage, new Uint8Array(5), ...frames]);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const judge = new StreamJudge('5byte');
          let found = false;
          let at = 0;
          for (const p of [...points, bytes.length]) {
            found = judge.push(bytes.subarray(at, p)) || found;
            at = p;
          }
          expect(found).toBe(true);
        },
      ),
    );
  });

  it('never takes three frames separated by noise for an oximeter', () => {
    fc.assert(
      fc.property(fc.array(frameArb('5byte'), { minLength: 1, maxLength: 12 }), (frames) => {
        const judge = new StreamJudge('5byte');
        // A noise byte (bit 7 clear) after every third frame breaks the run.
        const bytes = concat(frames.flatMap((f, i) => (i % 3 === 2 ? [f, Uint8Array.of(0x11)] : [f])));
        expect(judge.push(bytes)).toBe(false);
      }),
    );
  });
});
