import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryPair } from './carriers/memory.ts';
import { BLOCK_BYTES, PROTOCOL_VERSION, blockCount, encodeFrame } from './frames.ts';
import { buildManifest, sha256Hex } from './manifest.ts';
import { LinkPacer } from './rate.ts';
import { RejectCounters } from './reject.ts';
import { LinkSession } from './session.ts';
import type { IncomingSink, OutgoingObject, OutgoingQueue } from './transfer.ts';

const peer = (n: number) => ({ signingKey: new Uint8Array(32).fill(n) });

/** One object in memory as a queue of one; `done` once the receiver stored it. */
function queueOf(bytes: Uint8Array): OutgoingQueue & { done: Promise<void> } {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  let stored = false;
  const obj: OutgoingObject = {
    id: sha256Hex(bytes),
    size: bytes.byteLength,
    priority: 5,
    order: 1,
    hashes: () => Promise.resolve(buildManifest(bytes)),
    read: (first, count) =>
      Promise.resolve(
        bytes.slice(first * BLOCK_BYTES, Math.min(bytes.byteLength, (first + count) * BLOCK_BYTES)),
      ),
  };
  return {
    done,
    list: () => Promise.resolve(stored ? [] : [obj]),
    onChange: () => () => undefined,
    progress: () => undefined,
    stored: () => {
      stored = true;
      finish();
      return Promise.resolve();
    },
    rejected: () => Promise.resolve(),
  };
}

/** A receiver that keeps nothing but the size of every chunk it was given. */
function countingSink(): IncomingSink & { chunks: number[] } {
  const chunks: number[] = [];
  return {
    chunks,
    begin: () => Promise.resolve({ complete: false }),
    putBlocks: (_id: string, _first: number, count: number) => {
      chunks.push(count);
      return Promise.resolve();
    },
    finish: () => Promise.resolve('stored' as const),
    putWhole: () => Promise.resolve('stored' as const),
  };
}

/** Sends 600 KiB from a sender whose pacer believes in 10 MB/s (256 KiB chunks); `limit`: the receiver's HELLO. */
async function transfer(limit?: number): Promise<number[]> {
  // A real in-process line (the memory carrier), no mocks of the session or the sender.
  const pair = createMemoryPair({ a: peer(1), b: peer(2), latencyMs: 2 });
  const queue = queueOf(new Uint8Array(randomBytes(600 * 1024)));
  const sink = countingSink();
  const receiving = new LinkSession(pair.b, { sink, counters: new RejectCounters() });
  // A receiver that sees whole frames only (the console's browser socket) asks for small ones.
  if (limit) pair.b.send(encodeFrame({ t: 'hello', version: PROTOCOL_VERSION, maxFrameBytes: limit }));
  const sending = new LinkSession(pair.a, {
    queue,
    counters: new RejectCounters(),
    pacer: new LinkPacer({ initialRate: 10_000_000 }),
  });
  try {
    await queue.done;
    return sink.chunks;
  } finally {
    sending.close();
    receiving.close();
  }
}

describe("the sender keeps to the peer's HELLO maxFrameBytes", () => {
  it('sends chunks within the frame size the receiver asked for, and the whole object still arrives', async () => {
    const total = blockCount(600 * 1024);
    const free = await transfer();
    expect(Math.max(...free)).toBeGreaterThan(4);
    // 20,000 bytes: 4 blocks of data and the frame's own bytes.
    const limited = await transfer(20_000);
    expect(Math.max(...limited)).toBeLessThanOrEqual(4);
    expect(limited.reduce((a, b) => a + b, 0)).toBe(total);
  });
});
