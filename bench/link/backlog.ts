import { randomBytes } from 'node:crypto';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import { ECG_STRIP_MEDIA_TYPE, encodeEcgStrip } from '../../runtime/pipeline/ecg-strip-format.ts';
import { EcgSynth } from '../../sim/instruments/ecg-synth.ts';
import type { PouchItem } from './pouchdb-peer.ts';

/** One item of the link bench's backlog. */
export interface BacklogItem extends PouchItem {
  readonly urgent?: boolean;
}

/** Polar H10's ECG rate: a 30 s strip is 3,900 samples. */
const ECG_HZ = 130;

/**
 * Visit `v`'s 30 s ECG strip as the kit stores and sends it: the strip file the recorder writes
 * (runtime/pipeline/ecg-strip-format.ts, int32 µV per sample and a JSON header) of the simulated
 * H10's synthetic ECG (beats, sinus arrhythmia, baseline wander, noise), seeded by the visit, so
 * its size and its compressibility are those of a real strip, not random bytes.
 */
function ecgStrip(v: number): Uint8Array {
  const synth = new EcgSynth({ rateHz: ECG_HZ, heartRateBpm: 62 + ((v * 7) % 40), seed: 1000 + v });
  const samples = Int32Array.from({ length: 30 * ECG_HZ }, () => synth.next());
  return encodeEcgStrip({
    startUnixNs: BigInt(Date.UTC(2026, 11, 3, 8, v)) * 1_000_000n,
    rateHz: ECG_HZ,
    unit: 'uV',
    samples,
    gaps: [],
    device: { id: `h10-${v}`, name: 'Polar H10 (симуляция)', profile: 'polar-h10' },
    clock: { state: 'utc', offsetMs: 0 },
    codec: 'polar-pmd-ecg',
    codecVersion: '1',
    endReason: 'complete',
  });
}

/**
 * A shift's backlog: `visits` of vitals, a 30 s ECG strip and two 200 KB photos, and
 * consultations (every eighth visit's urgent). Photos are random bytes: nothing compresses, as
 * with JPEG; vitals and consultations are CBOR records, the ECG strip is the kit's strip file
 * of a synthetic ECG (both compress, as real ones do). Shared by the bench and its
 * direct-carrier peer processes, so both carriers carry the same sizes in the same order.
 */
export function backlog(visits: number): BacklogItem[] {
  const items: BacklogItem[] = [];
  for (let v = 0; v < visits; v++) {
    items.push({
      id: `v${v}-vitals`,
      kind: 'vitals',
      body: encodeWire({ visit: v, spo2: 95, hr: 80, sys: 125, dia: 80 }),
    });
    items.push({
      id: `v${v}-ecg`,
      kind: 'ecg',
      body: ecgStrip(v),
      media: ECG_STRIP_MEDIA_TYPE,
    });
    for (let p = 0; p < 2; p++)
      items.push({
        id: `v${v}-photo${p}`,
        kind: 'photo',
        body: new Uint8Array(randomBytes(200_000)),
        media: 'image/jpeg',
      });
    if (v % 4 === 0)
      items.push({
        id: `v${v}-consult`,
        kind: 'consultation',
        urgent: v % 8 === 0,
        body: encodeWire({ q: `Визит ${v}` }),
      });
  }
  return items;
}

/** Payload bytes of items (their original sizes). */
export const payloadOf = (items: readonly BacklogItem[]): number =>
  items.reduce((n, i) => n + i.body.byteLength, 0);
