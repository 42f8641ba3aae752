import { CodecError } from '../errors.ts';

/** 2000-01-01T00:00:00Z in Unix milliseconds: the epoch of Polar sensor clocks. */
export const POLAR_EPOCH_UNIX_MS = 946_684_800_000;
const POLAR_EPOCH_UNIX_NS = BigInt(POLAR_EPOCH_UNIX_MS) * 1_000_000n;

/**
 * The H10's clock after a power-off when nobody set it: 2019-01-01T00:00:00 as ns since 2000
 * (polar-ble-sdk `technical_documentation/TimeSystemExplained.md`, H10 firmware 3.1.1).
 */
export const H10_DEFAULT_CLOCK_NS = 599_616_000_000_000_000n;

/** Sensor ns since 2000 to Unix ns (reading the sensor clock as UTC). */
export function polarToUnixNs(polarNs: bigint): bigint {
  return polarNs + POLAR_EPOCH_UNIX_NS;
}

/** Unix ms (a JS Date) to ns since 2000. */
export function unixMsToPolarNs(unixMs: number): bigint {
  return BigInt(Math.round(unixMs)) * 1_000_000n - POLAR_EPOCH_UNIX_NS;
}

/**
 * Times of every sample of a frame, oldest first, the way polar-ble-sdk's `PmdTimeStampUtils`
 * spaces them: back from the frame's last-sample time by (this frame's time - the previous
 * frame's time) / count, or by 1/rate for the first frame. The last entry is the frame's own time.
 * Throws `invalid_value` when the previous time is not earlier or a time would fall before 2000.
 */
export function sampleTimesNs(
  previousNs: bigint | null,
  lastNs: bigint,
  count: number,
  rateHz: number,
): bigint[] {
  if (count <= 0) return [];
  if (previousNs !== null && lastNs <= previousNs) {
    throw new CodecError(
      'invalid_value',
      'pmd_time',
      'timestamp',
      1,
      `frame time ${lastNs} not after ${previousNs}`,
    );
  }
  const deltaNs = previousNs === null ? 1e9 / rateHz : Number(lastNs - previousNs) / count;
  if (!(deltaNs > 0) || !Number.isFinite(deltaNs)) {
    throw new CodecError('invalid_value', 'pmd_time', 'rate', 0, `cannot space samples at ${rateHz} Hz`);
  }
  const firstNs = previousNs === null ? Number(lastNs) - deltaNs * (count - 1) : Number(previousNs) + deltaNs;
  if (firstNs < 0)
    throw new CodecError('invalid_value', 'pmd_time', 'timestamp', 1, 'first sample before 2000');
  const out: bigint[] = [];
  // The offsets are small (< one frame), so they are computed in floating point and added to the exact base.
  const base = previousNs === null ? lastNs : previousNs;
  for (let i = 0; i < count - 1; i++) {
    const offset = previousNs === null ? -deltaNs * (count - 1 - i) : deltaNs * (i + 1);
    out.push(base + BigInt(Math.round(offset)));
  }
  out.push(lastNs);
  return out;
}
