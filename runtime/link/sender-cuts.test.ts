import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Bitset } from './bitset.ts';
import { createMemoryPair } from './carriers/memory.ts';
import { BLOCK_BYTES, blockCount } from './frames.ts';
import { buildManifest, sha256Hex } from './manifest.ts';
import { LinkPacer } from './rate.ts';
import { RejectCounters } from './reject.ts';
import { SentLedger } from './sent-ledger.ts';
import { LinkSession } from './session.ts';
import type { IncomingSink, OutgoingObject, OutgoingQueue } from './transfer.ts';

const peer = (n: number) => ({ signingKey: new Uint8Array(32).fill(n) });

/** Objects in memory, as a queue that outlives sessions (as the kit's outbox does). */
function queueOf(...objects: Uint8Array[]): OutgoingQueue & { done: Promise<void> } {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const stored = new Set<string>();
  const objs: OutgoingObject[] = objects.map((bytes, i) => ({
    id: sha256Hex(bytes),
    size: bytes.byteLength,
    priority: 5,
    order: i,
    hashes: () => Promise.resolve(buildManifest(bytes)),
    read: (first, count) =>
      Promise.resolve(
        bytes.slice(first * BLOCK_BYTES, Math.min(bytes.byteLength, (first + count) * BLOCK_BYTES)),
      ),
  }));
  return {
    done,
    list: () => Promise.resolve(objs.filter((o) => !stored.has(o.id))),
    onChange: () => () => undefined,
    progress: () => undefined,
    stored: (id) => {
      stored.add(id);
      if (stored.size === objs.length) finish();
      return Promise.resolve();
    },
    rejected: () => Promise.resolve(),
  };
}

/**
 * The receiving store, in memory (the hub's LMDB mailbox runs the same frames in the link tests;
 * here only what the sender puts in the path is under test): blocks held survive sessions, and
 * the object is rebuilt and checked at the end.
 */
function memorySink(): IncomingSink & { bytes(id: string): Uint8Array | undefined } {
  const held = new Map<string, { have: Bitset; data: Uint8Array }>();
  const done = new Map<string, Uint8Array>();
  return {
    bytes: (id) => done.get(id),
    begin: (id, size) => {
      if (done.has(id)) return Promise.resolve({ complete: true });
      let h = held.get(id);
      if (!h) held.set(id, (h = { have: new Bitset(blockCount(size)), data: new Uint8Array(size) }));
      return Promise.resolve({ complete: false, have: Bitset.fromRanges(h.have.size, h.have.ranges()) });
    },
    putBlocks: (id, first, count, data) => {
      const h = held.get(id)!;
      h.data.set(data, first * BLOCK_BYTES);
      h.have.setRange(first, count);
      return Promise.resolve();
    },
    finish: (id) => {
      const h = held.get(id)!;
      if (sha256Hex(h.data) !== id) throw new Error('rebuilt object does not match its id');
      done.set(id, h.data);
      held.delete(id);
      return Promise.resolve('stored' as const);
    },
    putWhole: (id, bytes) => {
      done.set(id, bytes);
      return Promise.resolve('stored' as const);
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a cut strands at most one chunk', () => {
  it('resends at most one chunk per silent cut at 256 kbit/s, offers again only what it resumes, and every object arrives whole', async () => {
    const objects = Array.from({ length: 6 }, () => new Uint8Array(randomBytes(64 * 1024)));
    const queue = queueOf(...objects);
    const sink = memorySink();
    // Shared across sessions, as the endpoint shares them: the measured rate and the ledger of what was sent.
    const pacer = new LinkPacer({ initialRate: 32_000 });
    const ledger = new SentLedger();
    const manifestFrame = 16 * 32 + 64; // the OFFER of a 64 KiB object: 16 hashes and framing
    /** What each cut cost: blocks and manifests sent again by the next session, and the chunk when it came. */
    const perCut: { resent: number; reoffered: number; chunk: number }[] = [];
    let finished = false;
    void queue.done.then(() => (finished = true));
    const session = () => {
      // 256 kbit/s each way and 10 ms latency: a real in-process line (the memory carrier).
      const pair = createMemoryPair({ a: peer(1), b: peer(2), bytesPerSecond: 32_000, latencyMs: 10 });
      const before = { resent: ledger.resentBytes, reoffered: ledger.reofferedBytes };
      const sending = new LinkSession(pair.a, { queue, counters: new RejectCounters(), pacer, ledger });
      const receiving = new LinkSession(pair.b, { sink, counters: new RejectCounters() });
      return { pair, before, sending, receiving };
    };
    let chunkAtCut = 0;
    for (let cut = 0; cut < 8 && !finished; cut++) {
      const s = session();
      // Run long enough to resume and fill the path, then cut at an uneven moment.
      await sleep(900 + ((cut * 137) % 400));
      const cost = {
        resent: ledger.resentBytes - s.before.resent,
        reoffered: ledger.reofferedBytes - s.before.reoffered,
      };
      if (cut > 0) perCut.push({ ...cost, chunk: chunkAtCut });
      chunkAtCut = pacer.chunkBytes;
      s.pair.setCut(true);
      await sleep(150);
      // The heartbeat timeout, shortened: both ends give up the connection.
      s.sending.close('lost');
      s.receiving.close('lost');
      await s.receiving.receiver!.idle();
    }
    // The last session runs to the end.
    const s = session();
    try {
      await queue.done;
      perCut.push({
        resent: ledger.resentBytes - s.before.resent,
        reoffered: ledger.reofferedBytes - s.before.reoffered,
        chunk: chunkAtCut,
      });
    } finally {
      s.sending.close();
      s.receiving.close();
    }
    expect(perCut.length).toBeGreaterThanOrEqual(4);
    // Every cut cost something (the path was full when it came)...
    expect(perCut.filter((c) => c.resent > 0).length).toBeGreaterThanOrEqual(perCut.length - 1);
    for (const c of perCut) {
      // ...never more than one chunk of blocks...
      expect(c.resent).toBeLessThanOrEqual(c.chunk);
      // ...and at most the manifests of the object resumed and the next one.
      expect(c.reoffered).toBeLessThanOrEqual(2 * manifestFrame);
    }
    for (const bytes of objects) {
      const got = sink.bytes(sha256Hex(bytes));
      expect(got && Buffer.from(got).equals(bytes)).toBe(true);
    }
  });
});
