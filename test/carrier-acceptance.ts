import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CarrierConnection, CloseInfo } from '../runtime/link/carrier.ts';
import { MAX_FRAME_BYTES } from '../runtime/link/frames.ts';
import { watchLiveness } from '../runtime/link/liveness.ts';

/** What a carrier implementation gives the shared suite. */
export interface CarrierFixture {
  /** Opens a fresh connected pair: `near` is the initiating end (the kit), `far` the other. */
  pair(): Promise<{ near: CarrierConnection; far: CarrierConnection }>;
  /**
   * Stops all traffic silently both ways without closing anything (a radio cut), and brings it
   * back. Optional: carriers whose harness cannot cut skip the heartbeat test.
   */
  cut?(): Promise<void>;
  heal?(): Promise<void>;
  /** Destroys the near end's underlying transport abruptly (no close handshake). */
  kill(near: CarrierConnection): void;
  teardown(): Promise<void>;
}

async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met in ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function collect(conn: CarrierConnection): { frames: Uint8Array[]; closes: CloseInfo[] } {
  const got = { frames: [] as Uint8Array[], closes: [] as CloseInfo[] };
  conn.onFrame((f) => got.frames.push(Uint8Array.from(f)));
  conn.onClose((c) => got.closes.push(c));
  return got;
}

/**
 * The behaviour every Carrier must show (hub socket, WebRTC, memory), run by each implementation's
 * test file with its own setup. Heartbeats and acknowledgements live above the carrier, so this
 * suite asks only for ordered whole frames, honest size limits, a close that fires once, and no
 * trace left behind after a close.
 */
export function runCarrierTests(name: string, setup: () => Promise<CarrierFixture>): void {
  describe(`Carrier acceptance: ${name}`, () => {
    let f: CarrierFixture;
    beforeEach(async () => {
      f = await setup();
    });
    afterEach(async () => f.teardown());

    it('carries frames both ways in order and byte-exact, up to maxFrameBytes', async () => {
      const { near, far } = await f.pair();
      // The protocol's largest frame (a 256 KiB chunk, a 16 MiB object's manifest) must fit:
      // a carrier with smaller native messages fragments them itself.
      expect(near.maxFrameBytes).toBeGreaterThanOrEqual(MAX_FRAME_BYTES);
      expect(far.maxFrameBytes).toBeGreaterThanOrEqual(MAX_FRAME_BYTES);
      const atFar = collect(far);
      const atNear = collect(near);
      const sizes = [1, 17, 4096, 65_536, near.maxFrameBytes, 3, far.maxFrameBytes - 1];
      const sent = sizes.map((n) => new Uint8Array(randomBytes(n)));
      for (const s of sent) expect(near.send(s)).toBe(true);
      for (const s of sent.slice(0, 3)) expect(far.send(s)).toBe(true);
      await until(
        () => atFar.frames.length === sent.length && atNear.frames.length === 3,
        15_000,
        'all frames',
      );
      atFar.frames.forEach((got, i) => expect(Buffer.from(got).equals(Buffer.from(sent[i]!))).toBe(true));
      atNear.frames.forEach((got, i) => expect(Buffer.from(got).equals(Buffer.from(sent[i]!))).toBe(true));
      near.close();
    });

    it('refuses a frame above maxFrameBytes without closing', async () => {
      const { near, far } = await f.pair();
      const atFar = collect(far);
      expect(near.send(new Uint8Array(near.maxFrameBytes + 1))).toBe(false);
      expect(near.closed).toBe(false);
      expect(near.send(Uint8Array.of(7))).toBe(true);
      await until(() => atFar.frames.length === 1);
      expect([...atFar.frames[0]!]).toEqual([7]);
      near.close();
    });

    it('a close on one end fires once on both, and nothing is sent or delivered after it', async () => {
      const { near, far } = await f.pair();
      const atNear = collect(near);
      const atFar = collect(far);
      near.close('done');
      near.close('twice');
      await until(() => atFar.closes.length === 1, 8000, 'far end sees the close');
      expect(atNear.closes).toHaveLength(1);
      expect(atNear.closes[0]!.by).toBe('local');
      expect(near.closed && far.closed).toBe(true);
      expect(near.send(Uint8Array.of(1))).toBe(false);
      expect(far.send(Uint8Array.of(1))).toBe(false);
      await new Promise((r) => setTimeout(r, 50));
      expect(atNear.frames).toHaveLength(0);
      expect(atFar.closes).toHaveLength(1);
    });

    it('an abrupt loss of the transport is noticed on both ends (by the carrier or by heartbeats)', async () => {
      const { near, far } = await f.pair();
      const stops = [near, far].map((c) => watchLiveness(c, { intervalMs: 100, timeoutMs: 600 }));
      const atNear = collect(near);
      const atFar = collect(far);
      f.kill(near);
      await until(() => atNear.closes.length === 1 && atFar.closes.length === 1, 8000, 'both ends closed');
      stops.forEach((s) => s());
      const again = await f.pair();
      const atFar2 = collect(again.far);
      again.near.send(Uint8Array.of(42));
      await until(() => atFar2.frames.length === 1);
      again.near.close();
    });

    it('a silent cut is detected by our heartbeats; after the cut heals a new pair carries frames', async () => {
      if (!f.cut || !f.heal) return;
      const { near, far } = await f.pair();
      const stops = [near, far].map((c) => watchLiveness(c, { intervalMs: 100, timeoutMs: 700 }));
      const atNear = collect(near);
      const atFar = collect(far);
      await f.cut();
      const cutAt = Date.now();
      near.send(Uint8Array.of(1, 2, 3)); // vanishes, and the carrier may well say it was sent
      await until(() => atNear.closes.length === 1 && atFar.closes.length === 1, 8000, 'heartbeat timeout');
      expect(Date.now() - cutAt).toBeLessThan(5000);
      expect(atFar.frames.filter((fr) => fr.byteLength === 3 && fr[0] === 1)).toHaveLength(0);
      stops.forEach((s) => s());
      await f.heal();
      const again = await f.pair();
      const atFar2 = collect(again.far);
      again.near.send(Uint8Array.of(9));
      await until(() => atFar2.frames.length === 1);
      again.near.close();
    });

    it('opens and closes 30 connections in a row, each working, with no listener left behind', async () => {
      for (let i = 0; i < 30; i++) {
        const { near, far } = await f.pair();
        const atFar = collect(far);
        near.send(Uint8Array.of(i));
        await until(() => atFar.frames.length === 1);
        near.close();
        await until(() => far.closed, 8000, 'far closed');
      }
    });
  });
}
