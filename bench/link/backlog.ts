import { randomBytes } from 'node:crypto';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { PouchItem } from './pouchdb-peer.ts';

/** One item of the link bench's backlog. */
export interface BacklogItem extends PouchItem {
  readonly urgent?: boolean;
}

/**
 * A shift's backlog: `visits` of vitals, a 30 s ECG strip and two 200 KB photos, and
 * consultations (every eighth visit's urgent). Bodies are random bytes: nothing compresses, as
 * with JPEG. Shared by the bench and its direct-carrier peer processes, so both carriers carry
 * the same sizes in the same order.
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
      body: new Uint8Array(randomBytes(7800)),
      media: 'application/x-ecg',
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
