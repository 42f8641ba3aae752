import { polarToUnixNs, unixMsToPolarNs } from '../codecs/polar-pmd/pmd-time.ts';
import { H10_DEFAULT_CLOCK_NS } from '../codecs/polar-pmd/pmd-time.ts';

/** How far a set clock may be from the kit's and still count as set (BLE latency, drift). */
const TOLERANCE_NS = 2_000_000_000n;
const YEAR_NS = 366n * 86_400_000_000_000n;

/** What the sensor's clock turned out to be, and the correction the kit applies. */
export interface PmdClockJudgement {
  readonly state: 'utc' | 'local' | 'default' | 'wrong';
  /** Added to a device timestamp (ns since 2000) to get ns since 2000 UTC by the kit's clock. */
  readonly offsetNs: bigint;
}

/**
 * Judges a Polar sensor clock from one frame: `deviceNs` (a frame's last-sample time) against
 * the kit's time at arrival. Set to UTC or to local wall time (polar-ble-sdk: the timestamp is
 * "nanoseconds to the local time" once setLocalTime ran), its own timestamps are kept, shifted by
 * the zone for local; at the H10's power-on default (2019-01-01 plus uptime) or anything else,
 * the stream is anchored on the arrival time and the offset recorded.
 */
export function judgePmdClock(
  deviceNs: bigint,
  arrivedUnixMs: number,
  utcOffsetMinutes: number,
): PmdClockJudgement {
  const hostNs = unixMsToPolarNs(arrivedUnixMs);
  const zoneNs = BigInt(utcOffsetMinutes) * 60_000_000_000n;
  const abs = (v: bigint) => (v < 0n ? -v : v);
  if (abs(hostNs - deviceNs) <= TOLERANCE_NS) return { state: 'utc', offsetNs: 0n };
  if (abs(hostNs + zoneNs - deviceNs) <= TOLERANCE_NS) return { state: 'local', offsetNs: -zoneNs };
  const state =
    deviceNs >= H10_DEFAULT_CLOCK_NS && deviceNs < H10_DEFAULT_CLOCK_NS + YEAR_NS ? 'default' : 'wrong';
  return { state, offsetNs: hostNs - deviceNs };
}

/** A corrected device time as ns since 1970 UTC. */
export function correctedUnixNs(deviceNs: bigint, judgement: PmdClockJudgement): bigint {
  return polarToUnixNs(deviceNs + judgement.offsetNs);
}
