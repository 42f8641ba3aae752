import type { Codec } from '../ble-devices/codecs/codec.ts';
import { ContecStreamParser } from '../ble-devices/codecs/contec/stream-parser.ts';
import { findCodec, parseHex } from '../ble-devices/codecs/registry.ts';
import { observe } from '../ble-devices/observations/index.ts';

/**
 * Codec cost against the issue-3 budget: decoding a full instrument load must stay under 1% of
 * one core. The load is 12 instruments at their maximum notification rates (LOAD below); each
 * profile's cost is measured on its largest realistic frame, and the CMS50 cost comes from the
 * streaming parser fed 32-byte serial reads.
 */

interface Profile {
  readonly key: string;
  readonly hex: string;
}

// Largest realistic frame per profile (worst case for the budget).
const FRAMES = {
  hr: { key: '2A37', hex: '10 48 00 04 00 04 00 04 00 04 00 04 00 04 00 04 00 04 00 04' }, // uint8 HR + 9 RR
  plxContinuous: { key: '2A5F', hex: '1F 61 00 48 00 60 00 49 00 62 00 47 00 20 00 00 00 00 57 F0' },
  plxSpot: { key: '2A5E', hex: '0F AC F3 BE F5 E8 07 0B 1D 17 08 39 20 40 22 00 00 66 E3' },
  cuff: { key: '2A36', hex: '00 38 00 FF 07 FF 07' },
  bp: { key: '2A35', hex: '1E 8A 00 58 00 78 00 00 00 04 11 14 29 3B 3C 00 01 27 00' },
  temperature: { key: '2A1E', hex: '06 B0 0E 00 FE DC 07 0C 05 0B 32 1B 04' },
  glucose: { key: '2A18', hex: '1B 05 00 E8 07 03 0F 07 2D 00 E2 FF 69 B0 11 00 08' },
  glucoseContext: { key: '2A34', hex: 'DF 05 00 00 01 32 D0 02 51 08 07 3C 01 0A D0 41 F0' },
  weight: { key: '2A9D', hex: '0E B0 36 E7 07 0C 19 0E 1E 2D 05 F5 00 D6 06' },
  bodyComposition: {
    key: '2A9C',
    hex: 'FE 07 E1 00 E7 07 0C 19 0E 1E 2D 05 70 17 90 01 70 17 F8 2A 10 27 40 1F 88 13 B0 36',
  },
} as const satisfies Record<string, Profile>;

/** [instrument, count, frames/s per instrument, profile] — the documented "full load". */
const LOAD: ReadonlyArray<readonly [string, number, number, keyof typeof FRAMES | 'cms50']> = [
  ['Contec CMS50 oximeter, serial (60 frames/s)', 4, 60, 'cms50'],
  ['BLE PLX continuous oximeter (max 60 notifications/s)', 3, 60, 'plxContinuous'],
  ['BLE heart-rate strap (max 4/s)', 2, 4, 'hr'],
  ['BLE BP cuff, intermediate cuff pressure while inflating (10/s)', 1, 10, 'cuff'],
  ['BLE thermometer, intermediate temperature (2/s)', 1, 2, 'temperature'],
  ['BLE glucose meter, RACP download burst (50 records/s)', 1, 50, 'glucose'],
];

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** Runs `fn` in batches of `batch` until `seconds` pass; returns calls per second. */
function rate(seconds: number, fn: () => void, batch = 1000): number {
  for (let i = 0; i < 2 * batch; i++) fn(); // warm-up
  let calls = 0;
  const start = now();
  let elapsed = 0;
  while (elapsed < seconds) {
    for (let i = 0; i < batch; i++) fn();
    calls += batch;
    elapsed = now() - start;
  }
  return calls / elapsed;
}

function cms50Stream(frames: number): Uint8Array {
  const live = parseHex('C5 3A 06 48 61');
  const out = new Uint8Array(frames * 5 + Math.floor(frames / 50));
  let o = 0;
  for (let i = 0; i < frames; i++) {
    if (i % 50 === 49) out[o++] = 0x12; // a noise byte every 50 frames
    out.set(live, o);
    o += 5;
  }
  return out;
}

const ctx = { receivedAt: new Date(), utcOffsetMinutes: 0, deviceClockOffsetMs: 0 };

/** The benchmark entry point (`fieldkit bench codecs [--quick] [--json]`). */
export default function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const seconds = opts.quick ? 0.05 : 0.25;
  const decoders = Object.fromEntries(
    Object.entries(FRAMES).map(([name, p]) => [name, { codec: findCodec(p.key), bytes: parseHex(p.hex) }]),
  ) as Record<keyof typeof FRAMES, { codec: Codec<unknown>; bytes: Uint8Array }>;

  const mix = Object.values(decoders);
  let k = 0;
  const decodePerS = rate(seconds * 2, () => {
    const d = mix[k++ % mix.length]!;
    d.codec.decode(d.bytes);
  });

  const stream = cms50Stream(opts.quick ? 2_000 : 20_000);
  const parser = new ContecStreamParser({ generation: '5byte' });
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < stream.length; o += 32) chunks.push(stream.subarray(o, o + 32));
  const passesPerS = rate(
    seconds * 2,
    () => {
      for (const c of chunks) parser.pushChunk(c);
    },
    1,
  );
  const cms50BytesPerS = passesPerS * stream.length;
  const cms50FramesPerS = cms50BytesPerS / 5;

  const cost: Record<string, { decode: number; observe: number }> = {
    cms50: { decode: 1 / cms50FramesPerS, observe: 0 },
  };
  const live = findCodec('contec_live_5byte');
  const liveFrame = live.decode(parseHex('C5 3A 06 48 61'));
  cost.cms50!.observe = 1 / rate(seconds, () => observe('contec_live_5byte', liveFrame, ctx));
  for (const [name, d] of Object.entries(decoders)) {
    const value = d.codec.decode(d.bytes);
    cost[name] = {
      decode: 1 / rate(seconds, () => d.codec.decode(d.bytes)),
      observe: 1 / rate(seconds, () => observe(d.codec.name, value, ctx)),
    };
  }

  let decodeSeconds = 0;
  let observeSeconds = 0;
  let framesPerS = 0;
  for (const [, count, perS, profile] of LOAD) {
    framesPerS += count * perS;
    decodeSeconds += count * perS * cost[profile]!.decode;
    observeSeconds += count * perS * cost[profile]!.observe;
  }

  return Promise.resolve({
    decode_per_s: Math.round(decodePerS),
    cms50_bytes_per_s: Math.round(cms50BytesPerS),
    full_load_instruments: LOAD.reduce((s, [, count]) => s + count, 0),
    full_load_frames_per_s: framesPerS,
    full_load_core_percent: Number((decodeSeconds * 100).toFixed(5)),
    full_load_core_percent_with_observe: Number(((decodeSeconds + observeSeconds) * 100).toFixed(5)),
    full_load_budget_percent: 1,
  });
}
