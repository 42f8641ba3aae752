import { uuidKey } from '../../ble-devices/codecs/uuid.ts';
import { PMD_DATA } from '../../ble-devices/codecs/polar-pmd/pmd-tables.ts';

/** The PMD data characteristic, keyed as {@link streamKey} keys characteristics. */
const PMD = uuidKey(PMD_DATA);

/**
 * What identifies one notification on both sides of the radio: for a PMD (ECG) frame its
 * device timestamp (uint64 ns of the last sample, bytes 1..8 little-endian), unique per frame;
 * for any other frame its bytes (a device time, where the frame carries one, is in them).
 */
export function frameKey(characteristic: string, raw: Uint8Array): string {
  if (uuidKey(characteristic) === PMD && raw.length >= 9) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    return `ts:${view.getBigUint64(1, true).toString()}`;
  }
  return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('hex');
}

/** One stream: a device's characteristic (names normalised: '2a5f' and its 128-bit form agree). */
export function streamKey(deviceAddress: string, characteristic: string): string {
  return `${deviceAddress.toUpperCase()}|${uuidKey(characteristic)}`;
}

/**
 * How far apart the two processes' clocks (timeOrigin + performance.now()) may read: a frame
 * "sent" later than this after it was received is not its match.
 */
const CLOCK_SLACK_MS = 5;

/** A notification as sent (instrument side) or as stored/received (kit side). */
export interface Timed {
  readonly stream: string;
  readonly key: string;
  readonly at: number;
}

/**
 * Pairs what the kit got with what the instruments sent and returns `received.at - sent.at` per
 * pair. Within a stream both sides are in order (a GATT notification stream is FIFO), so a
 * received frame is matched to the first not yet matched sent frame with the same key: lost,
 * refused or deduplicated frames are skipped rather than shifting every later pair (counting
 * frames on both sides did that, and a single lost frame made every later latency wrong). Keys
 * carrying a device timestamp (ECG) match exactly; plain values (an oximeter's SpO2/PR, often
 * repeated) can only be off within a run of identical frames, and re-align at the next change.
 * Received frames with no sent frame (sent before the recording started) are left out.
 */
export function matchLatencies(sent: readonly Timed[], received: readonly Timed[]): number[] {
  const byStream = new Map<string, Timed[]>();
  for (const s of sent) {
    let list = byStream.get(s.stream);
    if (!list) byStream.set(s.stream, (list = []));
    list.push(s);
  }
  const cursor = new Map<string, number>();
  const out: number[] = [];
  for (const r of received) {
    const list = byStream.get(r.stream);
    if (!list) continue;
    const from = cursor.get(r.stream) ?? 0;
    let i = from;
    while (i < list.length && (list[i]!.key !== r.key || list[i]!.at > r.at + CLOCK_SLACK_MS)) i++;
    if (i >= list.length) continue; // not among what was sent while recording: leave the cursor
    cursor.set(r.stream, i + 1);
    out.push(r.at - list[i]!.at);
  }
  return out;
}
