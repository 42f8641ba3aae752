import { describe, expect, it } from 'vitest';
import { verifyDirectory } from '../../crypto/directory.ts';
import { toHex } from '../../crypto/bytes.ts';
import { createMemoryPair } from '../../runtime/link/carriers/memory.ts';
import {
  PROBE_CHUNKS,
  PROBE_MAX_KBPS,
  VIDEO_FROM_KBPS,
  callLinkKbps,
  callMedia,
} from '../../runtime/link/live/call-policy.ts';
import type { LiveToConsole } from '../../runtime/link/live/live-wire.ts';
import {
  LiveToConsole as LiveToConsoleSchema,
  LiveToKit,
  LiveWireError,
  decodeLive,
  encodeLive,
} from '../../runtime/link/live/live-wire.ts';
import { LiveVitals } from '../../runtime/link/live/live-vitals.ts';
import { ProbeMeter } from '../../runtime/link/live/probe-meter.ts';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import { testDevice, testDirectory, testOrg } from '../helpers/link-world.ts';

const SESSION = 'live:0b7c6a52-3f5e-4d8e-9a1b-2c3d4e5f6a7b';

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('not in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The direct path's probe (call-policy.ts): the kit's side on a real in-process carrier with real
// keys and a signed directory, the measurement's arithmetic on a given clock, and the decision.
describe('the link probe a call decides video on', () => {
  it('the kit answers one probe per interval with padded chunks, and keeps what the console reports', async () => {
    const org = await testOrg();
    const kit = await testDevice();
    const ivanova = await testDevice();
    const dir = await verifyDirectory(
      await testDirectory(org, [
        {
          id: 'kit-01',
          role: 'kit',
          name: 'Бригада 1',
          devices: [{ key: kit.signer.publicKey, box: kit.opener.sealingKey }],
        },
        {
          id: 'spec-ivanova',
          role: 'specialist',
          name: 'Иванова А. П.',
          devices: [{ key: ivanova.signer.publicKey, box: ivanova.opener.sealingKey }],
        },
      ]),
      org.publicKey,
    );
    const vitals = new LiveVitals({
      directory: () => dir,
      me: () => 'kit-01',
      signer: kit.signer,
      visitOf: () => undefined,
      onObservations: () => () => undefined,
      linkKbps: () => null,
    });
    const pair = createMemoryPair({
      a: { signingKey: kit.signer.publicKey, identity: 'kit-01' },
      b: { signingKey: ivanova.signer.publicKey, identity: 'spec-ivanova' },
    });
    vitals.serve(pair.a, SESSION);
    const chunks: { m: Extract<LiveToConsole, { t: 'probe' }>; bytes: number }[] = [];
    pair.b.onFrame((f) => {
      const m = decodeLive(LiveToConsoleSchema, f);
      if (m.t === 'probe') chunks.push({ m, bytes: f.byteLength });
    });
    const meter = new ProbeMeter(PROBE_CHUNKS, 0);
    pair.b.send(encodeLive({ t: 'probe', n: PROBE_CHUNKS }));
    await until(() => chunks.length === PROBE_CHUNKS);
    expect(chunks.map((c) => c.m.i)).toEqual([...Array(PROBE_CHUNKS).keys()]);
    expect(chunks.every((c) => c.m.pad.byteLength === 4096 && c.bytes > 4096)).toBe(true);
    // A second probe at once costs the link again: not answered within the interval.
    pair.b.send(encodeLive({ t: 'probe', n: PROBE_CHUNKS }));
    await new Promise((r) => setTimeout(r, 300));
    expect(chunks).toHaveLength(PROBE_CHUNKS);

    // The meter on a given clock: one chunk every 10 ms after 30 ms of round trip.
    let result;
    for (const [k, c] of chunks.entries()) result = meter.chunk(c.m.i, c.bytes, 30 + 10 * k);
    const after = chunks.slice(1).reduce((s, c) => s + c.bytes, 0);
    expect(result).toEqual({ kbps: Math.round((after * 8) / ((PROBE_CHUNKS - 1) * 10)), rttMs: 30 });
    // What the console reports is kept for its device, and rung with its calls.
    const device = toHex(ivanova.signer.publicKey);
    expect(vitals.linkOf(device)).toBeUndefined();
    pair.b.send(encodeLive({ t: 'link', kbps: 129, rttMs: 16 }));
    await until(() => vitals.linkOf(device) !== undefined);
    expect(vitals.linkOf(device)).toMatchObject({ kbps: 129, rttMs: 16 });
    expect(vitals.linkOf(device, Date.now() + 11 * 60_000)).toBeUndefined();
    vitals.stop();
  });

  it('the meter ignores repeats and strays, and caps a burst that arrived at once', () => {
    const m = new ProbeMeter(3, 100);
    expect(m.chunk(0, 4120, 110)).toBeUndefined();
    expect(m.chunk(0, 4120, 111)).toBeUndefined(); // a repeat
    expect(m.chunk(7, 4120, 112)).toBeUndefined(); // out of range
    expect(m.chunk(1, 4120, 110)).toBeUndefined();
    // All within a millisecond: counted over 1 ms, capped.
    expect(m.chunk(2, 4120, 110)).toEqual({ kbps: Math.min(PROBE_MAX_KBPS, 2 * 4120 * 8), rttMs: 10 });
  });

  it('decides on the lowest measurement, video from 384 kbit/s, and says why', () => {
    expect(callLinkKbps(null, undefined)).toBeNull();
    expect(callLinkKbps(27_000, null)).toBe(27_000);
    expect(callLinkKbps(27_000, 200)).toBe(200);
    expect(callMedia(null)).toMatchObject({ video: false, why: 'unmeasured', videoBitrate: 0 });
    expect(callMedia(129)).toMatchObject({ video: false, why: 'narrow', videoBitrate: 0 });
    expect(callMedia(VIDEO_FROM_KBPS - 1).why).toBe('narrow');
    const at = callMedia(VIDEO_FROM_KBPS);
    expect(at).toMatchObject({ video: true, why: 'wide' });
    expect(at.videoBitrate + at.audioBitrate).toBeLessThanOrEqual(VIDEO_FROM_KBPS * 1000);
    expect(callMedia(27_000).videoBitrate).toBe(600_000);
  });

  it('refuses probe messages outside their schema', () => {
    for (const bad of [
      { t: 'probe', n: PROBE_CHUNKS + 1 },
      { t: 'probe', n: 1 },
      { t: 'link', kbps: -1, rttMs: null },
      { t: 'link', kbps: PROBE_MAX_KBPS + 1, rttMs: 3 },
    ])
      expect(() => decodeLive(LiveToKit, encodeWire(bad))).toThrow(LiveWireError);
    for (const bad of [
      { t: 'probe', i: 0, n: PROBE_CHUNKS, pad: new Uint8Array(4097) },
      { t: 'probe', i: PROBE_CHUNKS + 1, n: PROBE_CHUNKS, pad: new Uint8Array(8) },
    ])
      expect(() => decodeLive(LiveToConsoleSchema, encodeWire(bad))).toThrow(LiveWireError);
  });
});
