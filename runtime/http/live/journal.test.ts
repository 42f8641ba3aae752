import { describe, expect, it } from 'vitest';
import type { KitEvent } from '../../events.ts';
import { LiveBus } from '../../live-bus.ts';
import { LiveJournal, sseFrame } from './journal.ts';

const storeError = (i: number): KitEvent => ({
  type: 'store-error',
  message: `m${i}`,
  code: 'write_failed',
  notStored: 1,
  notStoredTotal: i,
  at: new Date(0),
});
const preview: KitEvent = {
  type: 'preview',
  deviceId: 'd',
  deviceName: 'cuff',
  preview: { kind: 'cuff-pressure', value: 80, unit: 'mm[Hg]' },
  at: new Date(0),
};

describe('live journal', () => {
  it('numbers durable events, keeps live-only ones out, and replays what came after an id', () => {
    const bus = new LiveBus<KitEvent>();
    const j = new LiveJournal(bus, { maxEvents: 100, maxBytes: 1 << 20 });
    const live: string[] = [];
    j.subscribe(
      () => undefined,
      (m) => live.push(m.event),
    );
    for (let i = 1; i <= 5; i++) bus.publish(storeError(i));
    bus.publish(preview);
    expect(j.head).toBe(5);
    expect(live).toEqual(['preview']);
    const point = j.resumeFrom(j.idOf(2));
    expect(point).toEqual({ ok: true, seq: 2 });
    expect(j.since(2)!.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(j.since(5)).toEqual([]);
    expect(j.resumeFrom(undefined)).toEqual({ ok: true, seq: 5 });
  });

  it('drops the oldest beyond its bounds and then tells a late reader to reload; another epoch is a restart', () => {
    const bus = new LiveBus<KitEvent>();
    const j = new LiveJournal(bus, { maxEvents: 10, maxBytes: 1 << 20 });
    for (let i = 1; i <= 1000; i++) bus.publish(storeError(i));
    expect(j.since(989)).toBeUndefined();
    expect(j.resumeFrom(j.idOf(989))).toEqual({ ok: false, reason: 'too_old' });
    expect(j.since(990)!.map((e) => e.seq)).toEqual([991, 992, 993, 994, 995, 996, 997, 998, 999, 1000]);
    expect(j.resumeFrom(`zzzz:5`)).toEqual({ ok: false, reason: 'restarted' });
    expect(j.resumeFrom(j.idOf(5000))).toEqual({ ok: false, reason: 'invalid' });
    expect(j.resumeFrom('not an id')).toEqual({ ok: false, reason: 'invalid' });
    const small = new LiveJournal(bus, { maxEvents: 1000, maxBytes: 2000 });
    for (let i = 1; i <= 100; i++) bus.publish(storeError(i));
    // ~110 bytes of JSON per event: a 2000-byte bound keeps the newest ~18, not all 100.
    expect(small.resumeFrom(small.idOf(0))).toEqual({ ok: false, reason: 'too_old' });
    expect(small.since(small.head - 10)).toHaveLength(10);
    expect(small.since(small.head - 50)).toBeUndefined();
  });

  it('encodes each event once: every connection writes the same SSE frame bytes', () => {
    const bus = new LiveBus<KitEvent>();
    const j = new LiveJournal(bus, { maxEvents: 100, maxBytes: 1 << 20 });
    const seen: Uint8Array[][] = [[], []];
    for (const list of seen)
      j.subscribe(
        () => undefined,
        (m) => list.push(m.frame),
      );
    bus.publish(preview);
    bus.publish(storeError(1));
    // Live-only: one frame object for both connections, no id.
    expect(seen[0]![0]).toBe(seen[1]![0]);
    const live = new TextDecoder().decode(seen[0]![0]);
    expect(live).toMatch(/^event: preview\ndata: \{.*"value":80.*\}\n\n$/);
    // Durable: the frame carries the event's id, and replaying it reads the very same bytes.
    const [entry] = j.since(0)!;
    expect(new TextDecoder().decode(entry!.frame)).toBe(
      `event: store-error\ndata: ${entry!.data}\nid: ${j.idOf(1)}\n\n`,
    );
    expect(j.since(0)![0]!.frame).toBe(entry!.frame);
  });

  it('writes data with line breaks as one data field per line', () => {
    expect(new TextDecoder().decode(sseFrame({ event: 'x', data: 'a\nb\r\nc', id: 'e:1' }))).toBe(
      'event: x\ndata: a\ndata: b\ndata: c\nid: e:1\n\n',
    );
  });
});
