import { describe, expect, it } from 'vitest';
import { createMemoryPair } from './carriers/memory.ts';
import { decodeFrame, encodeFrame } from './frames.ts';
import { watchLiveness } from './liveness.ts';

const peer = (n: number) => ({ signingKey: new Uint8Array(32).fill(n) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Heartbeat PINGs (not probes) among frames seen by one end. */
const heartbeats = (frames: Uint8Array[]) =>
  frames.filter((f) => {
    const d = decodeFrame(f);
    return d.ok && d.frame.t === 'ping' && d.frame.seq < 0x8000_0000;
  }).length;

describe('heartbeats', () => {
  it('are not sent while frames flow, are sent when the peer falls quiet, and a silent cut still closes the connection', async () => {
    // A real in-process line (the memory carrier): 5 ms latency, no mocks.
    const pair = createMemoryPair({ a: peer(1), b: peer(2), latencyMs: 5 });
    const atB: Uint8Array[] = [];
    pair.b.onFrame((f) => atB.push(f));
    const stopA = watchLiveness(pair.a, { intervalMs: 200, timeoutMs: 1000 });
    const stopB = watchLiveness(pair.b, { intervalMs: 200, timeoutMs: 1000 });
    try {
      // b talks to a every 10 ms (as a receiver's ACKs and PONGs do): a hears it and stays silent.
      const talk = setInterval(
        () => pair.b.send(encodeFrame({ t: 'stored', id: new Uint8Array(32), outcome: 'stored' })),
        10,
      );
      await sleep(250);
      const before = heartbeats(atB);
      await sleep(1000);
      clearInterval(talk);
      // (The one PING each end sends at once, while the path is empty, came before.)
      expect(heartbeats(atB) - before).toBe(0);
      // Both quiet now: a pings, b answers, neither times out.
      await sleep(1200);
      expect(heartbeats(atB) - before).toBeGreaterThanOrEqual(3);
      expect(pair.a.closed || pair.b.closed).toBe(false);
      // A silent cut: nothing is heard, the heartbeat timeout closes the connection.
      pair.setCut(true);
      await sleep(1600);
      expect(pair.a.closed).toBe(true);
    } finally {
      stopA();
      stopB();
      pair.a.close();
      pair.b.close();
    }
  });
});
