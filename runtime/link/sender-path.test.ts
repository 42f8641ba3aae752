import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Bitset } from './bitset.ts';
import { createMemoryPair } from './carriers/memory.ts';
import { BLOCK_BYTES, blockCount } from './frames.ts';
import { buildManifest, sha256Hex } from './manifest.ts';
import { LinkPacer } from './rate.ts';
import { RejectCounters } from './reject.ts';
import { LinkSession } from './session.ts';
import type { IncomingSink, OutgoingObject, OutgoingQueue } from './transfer.ts';

const peer = (n: number) => ({ signingKey: new Uint8Array(32).fill(n) });

/** One object in memory, as a queue of one. */
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

/** A receiver whose disk does not answer until `open()` (every write waits on the gate). */
function gatedSink(): IncomingSink & { open(): void; writes: number; held(): number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const held = new Map<string, Bitset>();
  const sink = {
    writes: 0,
    open: () => open(),
    held: () => [...held.values()].reduce((n, b) => n + b.count, 0),
    begin: (id: string, size: number) => {
      held.set(id, new Bitset(blockCount(size)));
      return Promise.resolve({ complete: false });
    },
    putBlocks: async (id: string, first: number, count: number) => {
      sink.writes++;
      await gate;
      held.get(id)?.setRange(first, count);
    },
    finish: () => Promise.resolve('stored' as const),
    putWhole: () => Promise.resolve('stored' as const),
  };
  return sink;
}

const until = async (check: () => boolean, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('the sender paces by the path, not by the receiver disk', () => {
  it('keeps the line busy while the receiver has acknowledged nothing, never queueing more than the path allows, and stops at the window', async () => {
    // 64 KB/s each way, 5 ms latency: a real in-process line (the memory carrier), no mocks.
    const pair = createMemoryPair({ a: peer(1), b: peer(2), bytesPerSecond: 64_000, latencyMs: 5 });
    const bytes = new Uint8Array(randomBytes(320 * 1024));
    const queue = queueOf(bytes);
    const sink = gatedSink();
    const pacer = new LinkPacer({ initialRate: 64_000, maxWindow: 256 * 1024 });
    const sending = new LinkSession(pair.a, { queue, counters: new RejectCounters(), pacer });
    const receiving = new LinkSession(pair.b, { sink, counters: new RejectCounters() });
    let maxPath = 0;
    const watch = setInterval(() => (maxPath = Math.max(maxPath, sending.sender!.pathBytes)), 2);
    try {
      // With no ACK at all, probes alone let the sender go on past the path's limit...
      await until(() => sending.sender!.inflightBytes >= 200 * 1024);
      expect(sink.writes).toBeGreaterThan(0);
      // ...but never past the window of unacknowledged bytes, and never with more in the path than allowed.
      await new Promise((r) => setTimeout(r, 300));
      expect(sending.sender!.inflightBytes).toBeLessThanOrEqual(pacer.window + pacer.chunkBytes);
      expect(maxPath).toBeLessThanOrEqual(pacer.pathBytes + 2 * 128 + BLOCK_BYTES);
      // The disk answers: the object completes.
      sink.open();
      await queue.done;
      expect(sending.sender!.inflightBytes).toBe(0);
    } finally {
      clearInterval(watch);
      sending.close();
      receiving.close();
    }
  });

  it('derives chunk and path from the measured rate; a stall in confirmations does not shrink them', () => {
    const pacer = new LinkPacer({ initialRate: 8_000, chunkSeconds: 0.5, queueSeconds: 0.15 });
    expect(pacer.chunkBytes).toBe(BLOCK_BYTES);
    pacer.rtt(20);
    // 32 KB/s confirmed for 3 s while backlogged.
    let t = 1_000_000;
    for (let i = 0; i < 30; i++) pacer.delivered(3_200, true, (t += 100));
    expect(pacer.rate).toBeGreaterThan(25_000);
    const chunk = pacer.chunkBytes;
    expect(chunk).toBe(4 * BLOCK_BYTES);
    // The path holds one chunk (it needs less: rate x (20 ms + 0.15 s) + a block), sent as two frames.
    expect(pacer.rate * (0.02 + 0.15) + BLOCK_BYTES).toBeLessThan(chunk);
    expect(pacer.pathBytes).toBe(chunk);
    expect(pacer.frameBlocks).toBe(2);
    // A 1.5 s stall, then a burst: the smoothed sample dips, the rate used does not.
    const before = pacer.rate;
    pacer.delivered(3_200, true, t + 1500);
    expect(pacer.rate).toBeGreaterThanOrEqual(before * 0.99);
    expect(pacer.window).toBeGreaterThanOrEqual(256 * 1024);
    // A long round trip needs more than a chunk in the path to keep the line busy.
    const far = new LinkPacer({ initialRate: 32_000, chunkSeconds: 0.5, queueSeconds: 0.15 });
    far.rtt(600);
    expect(far.pathBytes).toBeCloseTo(32_000 * (0.6 + 0.15) + BLOCK_BYTES, 0);
    expect(far.pathBytes).toBeGreaterThan(far.chunkBytes);
  });

  it('a session that ends still commits the chunks that had arrived (a cut costs what was on the wire, not what waited for the disk)', async () => {
    const pair = createMemoryPair({ a: peer(1), b: peer(2), bytesPerSecond: 256_000, latencyMs: 2 });
    const queue = queueOf(new Uint8Array(randomBytes(200 * 1024)));
    const sink = gatedSink();
    const sending = new LinkSession(pair.a, {
      queue,
      counters: new RejectCounters(),
      pacer: new LinkPacer({ initialRate: 256_000, chunkSeconds: 0.05 }),
    });
    const receiving = new LinkSession(pair.b, { sink, counters: new RejectCounters() });
    try {
      // Several chunks arrive while the disk is stuck on the first.
      await until(() => sink.writes >= 1 && sending.sender!.inflightBytes >= 96 * 1024);
      await new Promise((r) => setTimeout(r, 100));
      receiving.close('cut');
      const arrived = receiving.receiver!;
      sink.open();
      await arrived.idle();
      // Chunks of 3 blocks: the one being written when the session ended, and the ones queued behind it.
      expect(sink.writes).toBeGreaterThan(3);
      expect(sink.held()).toBeGreaterThan(3 * 3);
    } finally {
      sending.close();
      receiving.close();
    }
  });
});
