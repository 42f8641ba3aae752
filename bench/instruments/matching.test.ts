import { describe, expect, it } from 'vitest';
import { frameKey, matchLatencies, streamKey, type Timed } from './matching.ts';
import { PMD_DATA } from '../../ble-devices/codecs/polar-pmd/pmd-tables.ts';

const plx = streamKey('aa:bb', '2a5f');
const t = (stream: string, key: string, at: number): Timed => ({ stream, key, at });

describe('bench instruments: matching a received frame to its notification', () => {
  it('keys a PMD frame by its device timestamp and any other frame by its bytes', () => {
    const frame = new Uint8Array(13);
    frame[0] = 0x00;
    new DataView(frame.buffer).setBigUint64(1, 599_999_999_123_456_789n, true);
    expect(frameKey(PMD_DATA, frame)).toBe('ts:599999999123456789');
    expect(frameKey('2a5f', Uint8Array.of(0x00, 0x61, 0x00, 0x48, 0x00))).toBe('0061004800');
    expect(streamKey('aa:bb', '00002a5f-0000-1000-8000-00805f9b34fb')).toBe(plx);
  });

  it('skips a lost frame instead of shifting every later pair', () => {
    const sent = [t(plx, 'a', 0), t(plx, 'b', 10), t(plx, 'c', 20), t(plx, 'd', 30)];
    // 'b' lost: counting would pair c with b (latency 13) and d with c (latency 13).
    expect(matchLatencies(sent, [t(plx, 'a', 3), t(plx, 'c', 23), t(plx, 'd', 33)])).toEqual([3, 3, 3]);
  });

  it('matches ECG frames exactly by timestamp, whatever was lost or arrived before recording', () => {
    const ecg = streamKey('cc:dd', PMD_DATA);
    const sent = [t(ecg, 'ts:1', 100), t(ecg, 'ts:2', 662), t(ecg, 'ts:3', 1224)];
    const received = [t(ecg, 'ts:0', 40), t(ecg, 'ts:2', 670), t(ecg, 'ts:3', 1230)];
    expect(matchLatencies(sent, received)).toEqual([8, 6]);
  });

  it('never pairs a frame with one sent after it arrived, and keeps streams apart', () => {
    const other = streamKey('ee:ff', '2a5f');
    const sent = [t(plx, 'a', 50), t(other, 'a', 0)];
    expect(matchLatencies(sent, [t(plx, 'a', 10), t(plx, 'a', 60), t(other, 'a', 1)])).toEqual([10, 1]);
  });
});
