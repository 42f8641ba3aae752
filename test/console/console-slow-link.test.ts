import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { TcpRelay } from '../helpers/tcp-relay.ts';
import { startTcpRelay } from '../helpers/tcp-relay.ts';
import { consoleWorld } from './linked-console.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** In the page: records every time the hub badge leaves 'up', with the reason it gives. */
const WATCH_BADGE = `(() => {
  const drops = [];
  window.__hubDrops = drops;
  const badge = () => document.querySelector('[data-hub]');
  let last = badge()?.getAttribute('data-hub');
  new MutationObserver(() => {
    const b = badge();
    const now = b?.getAttribute('data-hub');
    if (now !== last && last === 'up') drops.push(b?.getAttribute('title') || now);
    last = now;
  }).observe(document.body, { subtree: true, attributes: true, childList: true });
})()`;

// The console's link socket in Chromium sees whole WebSocket messages only: it cannot tell a
// large frame crawling in from a dead hub. The console, in real Chromium, reaches the real hub
// through a relay. First a fast path (2 MB/s): four photos let the hub's sender measure it and
// size its chunks at the 256 KiB maximum. Then the path drops to 32 KiB/s (the 256 kbit/s
// planning floor): a 256 KiB chunk would take 8 s, more than the console's 6 s heartbeat
// timeout, so the console declared the hub dead mid-chunk and reconnected (losing the chunk).
// The console now asks, in its HELLO, for frames that cross within a third of that timeout at
// the floor rate, and the hub's sender keeps to it.
describe('the console link on a path that slows down (Chromium)', () => {
  it('keeps the link up while a photo crosses at 256 kbit/s after a fast start', async () => {
    let relay: TcpRelay | undefined;
    const world = await consoleWorld(async (hubPort) => {
      relay = await startTcpRelay(hubPort);
      cleanups.push(() => relay!.close());
      return relay.port;
    });
    cleanups.push(() => world.close());
    const { kit, watched, page } = world;
    await page.locator('[data-hub="up"]').waitFor({ timeout: 30_000 });
    relay!.setRate!(2_000_000);

    const photo = (bytes: number) =>
      kit.send({
        kind: 'photo',
        to: 'spec-ivanova',
        body: new Uint8Array(randomBytes(bytes)),
        media: 'image/jpeg',
      });
    const fast = [];
    for (let i = 0; i < 4; i++) fast.push(await photo(450_000));
    for (const f of fast) await watched.untilState(f.itemId, 'delivered', 60_000);

    await page.evaluate(WATCH_BADGE);
    relay!.setRate!(32 * 1024);
    const slow = await photo(450_000);
    // ~14 s of line at 32 KiB/s; more for a loaded machine.
    await watched.untilState(slow.itemId, 'delivered', 90_000);
    expect(await page.evaluate(() => (window as unknown as { __hubDrops: string[] }).__hubDrops)).toEqual([]);
  }, 180_000);
});
