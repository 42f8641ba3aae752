import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeWire } from '../crypto/wire-cbor.ts';
import type { DeliveryRecord } from '../runtime/link/delivery.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';
import { startTcpRelay } from './helpers/tcp-relay.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** 64 KiB/s each way (512 kbit/s) through a relay: slow enough for chunks, pre-emption and cuts to matter. */
const RATE = 64 * 1024;

describe('store-and-forward over the hub socket, with cuts (sockets killed)', () => {
  it('delivers a backlog exactly once, every urgent item before any photo queued before it, resuming after each cut', async () => {
    world = await linkWorld({
      kitRelay: (port) => startTcpRelay(port, { bytesPerSecond: RATE }),
      startKit: false,
    });
    const { kit, spec, relay } = world;
    const sent: DeliveryRecord[] = [];
    const send = async (...args: Parameters<typeof kit.endpoint.send>) => {
      const rec = await kit.endpoint.send(...args);
      sent.push(rec);
      return rec;
    };
    // The backlog of a few visits, queued while offline: photos first, urgent consultations last.
    for (let v = 0; v < 3; v++) {
      await send({
        kind: 'photo',
        to: 'spec-ivanova',
        body: new Uint8Array(randomBytes(90_000)),
        media: 'image/jpeg',
      });
      await send({
        kind: 'photo',
        to: 'spec-ivanova',
        body: new Uint8Array(randomBytes(60_000)),
        media: 'image/jpeg',
      });
      await send({
        kind: 'ecg',
        to: 'spec-ivanova',
        body: new Uint8Array(randomBytes(24_000)),
        media: 'application/x-ecg',
      });
      await send({
        kind: 'vitals',
        to: 'spec-ivanova',
        body: encodeWire({ visit: v, spo2: 95 + v, hr: 70 + v }),
      });
    }
    const urgent = [
      await send({
        kind: 'consultation',
        urgent: true,
        to: 'spec-ivanova',
        body: encodeWire({ q: 'Боль в груди' }),
      }),
      await send({ kind: 'message', to: 'spec-ivanova', body: encodeWire({ text: 'Давление 80/40' }) }),
    ];
    await kit.endpoint.outbox.sealed();
    kit.link.start();

    // Cut four times by killing the sockets while bulk is crossing.
    let cuts = 0;
    const cutter = setInterval(() => {
      if (cuts >= 4 || !relay) return;
      if (kit.link.status.state === 'up' && relay.open > 0) {
        relay.killAll();
        cuts++;
      }
    }, 900);
    try {
      for (const rec of sent)
        await spec.watched.until(
          (e): e is Extract<typeof e, { type: 'received' }> =>
            e.type === 'received' && e.entry.itemId === rec.itemId,
          60_000,
        );
    } finally {
      clearInterval(cutter);
    }
    const payload = sent.reduce((n, r) => n + (kit.endpoint.outbox.get(r.outboxId)?.size ?? 0), 0);
    // What the cuts cost: bytes put on the wire beyond the sealed sizes (a chunk or two per cut).
    const resent = kit.endpoint.stats.bytesSent - payload;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThan(cuts * 64 * 1024);
    expect(cuts).toBeGreaterThanOrEqual(3);
    expect(kit.link.sessions).toBeGreaterThanOrEqual(cuts + 1);

    // Exactly once, all verified.
    const received = spec.watched.received();
    expect(received.map((e) => e.itemId).sort()).toEqual(sent.map((r) => r.itemId).sort());
    expect(received.every((e) => e.verdict.verified)).toBe(true);
    // Urgent before every photo (all photos were queued before them).
    const order = received.map((e) => e.kind);
    const lastUrgent = Math.max(...urgent.map((u) => received.findIndex((e) => e.itemId === u.itemId)));
    expect(order.indexOf('photo')).toBeGreaterThan(lastUrgent);
    // And priority order across the rest: vitals before waveforms before photos.
    expect(order.lastIndexOf('vitals')).toBeLessThan(order.indexOf('ecg'));
    await expect.poll(() => kit.store.outboxSize(), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(() => world!.hub.hub.mailbox.stats(), { timeout: 10_000 })
      .toMatchObject({ held: 0, partial: 0, queued: 0 });
  }, 120_000);

  it('an urgent item queued while bulk is in flight pre-empts it at the next chunk boundary', async () => {
    world = await linkWorld({ kitRelay: (port) => startTcpRelay(port, { bytesPerSecond: 32 * 1024 }) });
    const { kit, spec } = world;
    const photo = await kit.endpoint.send({
      kind: 'photo',
      to: 'spec-ivanova',
      body: new Uint8Array(randomBytes(300_000)),
      media: 'image/jpeg',
    });
    await kit.watched.untilState(photo.itemId, 'sending');
    const queuedAt = Date.now();
    const urgent = await kit.endpoint.send({
      kind: 'message',
      to: 'spec-ivanova',
      body: encodeWire({ text: 'Срочно!' }),
    });
    await kit.watched.untilState(urgent.itemId, 'at_hub');
    const latency = Date.now() - queuedAt;
    // ~0.4 s chunks plus ~0.15 s of queue at 256 kbit/s, plus sealing and a commit at the hub.
    expect(latency).toBeLessThan(2500);
    expect(kit.endpoint.outbox.byItemId(photo.itemId)?.state).toBe('sending');
    await kit.watched.untilState(photo.itemId, 'delivered', 60_000);
    const order = spec.watched.received().map((e) => e.itemId);
    expect(order.indexOf(urgent.itemId)).toBeLessThan(order.indexOf(photo.itemId));
  }, 60_000);
});
