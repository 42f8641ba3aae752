import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { LinkEvent } from '../runtime/link/endpoint.ts';
import type { LinkWorld } from './helpers/link-world.ts';
import { linkWorld } from './helpers/link-world.ts';
import { startTcpRelay } from './helpers/tcp-relay.ts';

let world: LinkWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

const downs = (events: readonly LinkEvent[]) => events.filter((e) => e.type === 'connection' && !e.up).length;

describe('heartbeats on a path that slowed down under large frames', () => {
  it('keeps the kit-hub session while a chunk longer than the heartbeat timeout crawls in, and delivers', async () => {
    // The kit reaches the real hub through a relay. First a fast path (2 MB/s): six 500 kB photos
    // let the kit's pacer measure it and size its chunks at the 256 KiB maximum. Then the path
    // drops to 48 KiB/s (a radio on the edge of its cell): one 256 KiB chunk takes ~5.5 s,
    // longer than both ends' heartbeat timeout here (1.5 s, the test worlds' setting). The
    // kit's own PINGs queue behind the chunk, so whole frames alone say nothing for seconds.
    // Before the heartbeats counted bytes still arriving, the hub closed the session mid-chunk
    // every time, the kit reconnected with the same measured rate, and the photo never arrived.
    world = await linkWorld({ kitRelay: (port) => startTcpRelay(port, { bytesPerSecond: 2_000_000 }) });
    const { kit, relay } = world;
    const fast = [];
    for (let i = 0; i < 6; i++)
      fast.push(
        await kit.endpoint.send({
          kind: 'photo',
          to: 'spec-ivanova',
          body: new Uint8Array(randomBytes(500_000)),
          media: 'image/jpeg',
        }),
      );
    for (const f of fast) await kit.watched.untilState(f.itemId, 'at_hub', 30_000);

    relay!.setRate!(48 * 1024);
    const before = downs(kit.watched.events);
    const slow = await kit.endpoint.send({
      kind: 'photo',
      to: 'spec-ivanova',
      body: new Uint8Array(randomBytes(400_000)),
      media: 'image/jpeg',
    });
    // ~9 s of line for the photo and its framing; twice that and more for a loaded machine.
    await kit.watched.untilState(slow.itemId, 'at_hub', 45_000);
    expect(downs(kit.watched.events) - before).toBe(0);
  }, 90_000);
});
