import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { Frame } from './frames.ts';
import { BLOCK_BYTES, MAX_CHUNK_BYTES, MAX_FRAME_BYTES, decodeFrame, encodeFrame } from './frames.ts';
import { REJECT_CODES } from './reject.ts';

const id = new Uint8Array(32).fill(9);
const samples: Frame[] = [
  { t: 'hello', version: 1, maxFrameBytes: MAX_FRAME_BYTES },
  { t: 'ping', seq: 4, sentAt: 1_700_000_000_000 },
  { t: 'pong', seq: 4, sentAt: 1_700_000_000_000 },
  { t: 'item', id, bytes: new Uint8Array([1, 2, 3]) },
  { t: 'offer', id, size: BLOCK_BYTES * 2 + 1, blockSize: BLOCK_BYTES, hashes: new Uint8Array(96) },
  { t: 'have', id, complete: false, ranges: [[0, 3]] },
  { t: 'chunk', id, first: 2, data: new Uint8Array(BLOCK_BYTES) },
  { t: 'ack', id, first: 2, count: 1 },
  { t: 'stored', id, outcome: 'duplicate' },
  { t: 'nack', id: null, code: 'hash_mismatch', detail: 'block 3' },
];

describe('link frames', () => {
  it('round-trips every frame type', () => {
    for (const frame of samples) {
      const decoded = decodeFrame(encodeFrame(frame));
      expect(decoded).toEqual({ ok: true, frame: expect.objectContaining({ t: frame.t }) as unknown });
    }
  });

  it('answers a typed refusal, never a throw, for arbitrary bytes, CBOR values and mutations', () => {
    const codes = new Set<string>(REJECT_CODES);
    const check = (bytes: Uint8Array) => {
      const r = decodeFrame(bytes);
      if (!r.ok) expect(codes.has(r.code)).toBe(true);
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 3000 });
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer(), fc.string(), fc.uint8Array(), fc.boolean(), fc.constant(null))),
        (a) => check(encodeWire(a)),
      ),
      { numRuns: 3000 },
    );
    const encoded = samples.map(encodeFrame);
    fc.assert(
      fc.property(fc.nat(encoded.length - 1), fc.nat(), fc.nat(7), (which, at, bit) => {
        const m = Uint8Array.from(encoded[which]!);
        m[at % m.byteLength]! ^= 1 << bit;
        check(m);
        check(m.subarray(0, at % m.byteLength));
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses oversized chunks and frames, and manifests that disagree with the size', () => {
    const big = encodeFrame({ t: 'chunk', id, first: 0, data: new Uint8Array(MAX_CHUNK_BYTES + 1) });
    expect(decodeFrame(big)).toMatchObject({ ok: false, code: 'oversized_chunk' });
    expect(decodeFrame(new Uint8Array(MAX_FRAME_BYTES + 1))).toMatchObject({
      ok: false,
      code: 'frame_too_large',
    });
    const offer = encodeFrame({
      t: 'offer',
      id,
      size: BLOCK_BYTES * 3,
      blockSize: BLOCK_BYTES,
      hashes: new Uint8Array(64),
    });
    expect(decodeFrame(offer)).toMatchObject({ ok: false, code: 'bad_frame' });
    expect(decodeFrame(new Uint8Array([0xff, 0x00]))).toMatchObject({ ok: false, code: 'malformed_cbor' });
  });
});
