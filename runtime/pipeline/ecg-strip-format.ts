import { z } from 'zod';

/** A recorded ECG strip: samples exactly as received, with where and when they came from. */
export interface EcgStrip {
  /** Corrected time of the first sample, ns since 1970-01-01 UTC. */
  readonly startUnixNs: bigint;
  readonly rateHz: number;
  readonly unit: 'uV';
  readonly samples: Int32Array;
  /** Samples lost on the link before `atSample` (the strip does not invent them). */
  readonly gaps: ReadonlyArray<{ readonly atSample: number; readonly missing: number }>;
  readonly device: { readonly id: string; readonly name: string; readonly profile: string };
  readonly clock: { readonly state: 'utc' | 'local' | 'default' | 'wrong'; readonly offsetMs: number };
  readonly codec: string;
  readonly codecVersion: string;
  /** `complete`: the requested length; `stopped`: cut short on request; `stalled`: the signal stopped. */
  readonly endReason: 'complete' | 'stopped' | 'stalled';
}

/** Media type of the blob. */
export const ECG_STRIP_MEDIA_TYPE = 'application/vnd.fieldkit.ecg-strip';
const MAGIC = [0x46, 0x4b, 0x45, 0x43, 0x47, 0x01]; // "FKECG" version 1
const MAX_HEADER = 64 * 1024;
/** A day at 1 kHz: more than any strip, small enough to refuse a corrupt length before allocating. */
const MAX_SAMPLES = 86_400_000;

/** Why bytes are not a strip. */
export class EcgStripError extends Error {
  constructor(
    readonly code: 'bad_magic' | 'bad_header' | 'length_mismatch' | 'no_signal' | 'busy',
    message: string,
  ) {
    super(message);
    this.name = 'EcgStripError';
  }
}

const Header = z.object({
  format: z.literal('fieldkit-ecg-strip'),
  startedAt: z.string(),
  startUnixNs: z.string().regex(/^\d{1,25}$/),
  rateHz: z.number().positive().max(100_000),
  unit: z.literal('uV'),
  sampleCount: z.number().int().nonnegative().max(MAX_SAMPLES),
  gaps: z
    .array(z.object({ atSample: z.number().int().nonnegative(), missing: z.number().int().positive() }))
    .max(100_000),
  device: z.object({ id: z.string().max(512), name: z.string().max(256), profile: z.string().max(64) }),
  clock: z.object({ state: z.enum(['utc', 'local', 'default', 'wrong']), offsetMs: z.number() }),
  codec: z.string().max(64),
  codecVersion: z.string().max(32),
  endReason: z.enum(['complete', 'stopped', 'stalled']),
});

/**
 * The blob layout: `FKECG 0x01`, u32 LE header length, the header as UTF-8 JSON (readable by any
 * tool), then the samples as int32 LE µV. The store deflates it before sealing ("ecg" kind).
 */
export function encodeEcgStrip(s: EcgStrip): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: 'fieldkit-ecg-strip',
      startedAt: new Date(Number(s.startUnixNs / 1_000_000n)).toISOString(),
      startUnixNs: s.startUnixNs.toString(),
      rateHz: s.rateHz,
      unit: s.unit,
      sampleCount: s.samples.length,
      gaps: [...s.gaps],
      device: s.device,
      clock: s.clock,
      codec: s.codec,
      codecVersion: s.codecVersion,
      endReason: s.endReason,
    } satisfies z.input<typeof Header>),
  );
  const out = new Uint8Array(MAGIC.length + 4 + header.length + s.samples.length * 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, header.length, true);
  out.set(header, MAGIC.length + 4);
  let at = MAGIC.length + 4 + header.length;
  for (const v of s.samples) {
    view.setInt32(at, v, true);
    at += 4;
  }
  return out;
}

/** Reads a strip back; every inconsistency is an {@link EcgStripError}. */
export function decodeEcgStrip(bytes: Uint8Array): EcgStrip {
  if (bytes.length < MAGIC.length + 4 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new EcgStripError('bad_magic', 'not a fieldkit ECG strip (version 1)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  if (headerLength > MAX_HEADER || start + headerLength > bytes.length) {
    throw new EcgStripError('bad_header', `header length ${headerLength} does not fit`);
  }
  let parsed: z.infer<typeof Header>;
  try {
    parsed = Header.parse(
      JSON.parse(
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, start + headerLength)),
      ),
    );
  } catch (err) {
    throw new EcgStripError(
      'bad_header',
      `strip header unreadable: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  const body = start + headerLength;
  if (bytes.length - body !== parsed.sampleCount * 4) {
    throw new EcgStripError(
      'length_mismatch',
      `${parsed.sampleCount} samples announced, ${(bytes.length - body) / 4} present`,
    );
  }
  const samples = new Int32Array(parsed.sampleCount);
  for (let i = 0; i < samples.length; i++) samples[i] = view.getInt32(body + i * 4, true);
  return {
    startUnixNs: BigInt(parsed.startUnixNs),
    rateHz: parsed.rateHz,
    unit: parsed.unit,
    samples,
    gaps: parsed.gaps,
    device: parsed.device,
    clock: parsed.clock,
    codec: parsed.codec,
    codecVersion: parsed.codecVersion,
    endReason: parsed.endReason,
  };
}
