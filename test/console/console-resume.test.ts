import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { TcpRelay } from '../helpers/tcp-relay.ts';
import { startTcpRelay } from '../helpers/tcp-relay.ts';
import { until } from '../helpers/until.ts';
import { reopenConsole } from './console-world.ts';
import { consoleWorld } from './linked-console.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A photo of this many bytes (random, so the envelope does not compress): ~14 s at the floor. */
const PHOTO_BYTES = 450_000;
/** The planning floor, 256 kbit/s. */
const FLOOR = 32 * 1024;

/** In the page, on every load: counts the bytes of link frames that reach it. */
const COUNT_LINK_BYTES = `(() => {
  window.__linkIn = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (e) => {
        if (e.data instanceof ArrayBuffer) window.__linkIn += e.data.byteLength;
      });
    }
  };
})()`;

/** What the console holds of unfinished objects, read from its own IndexedDB. */
const HELD_PARTIALS = `new Promise((resolve, reject) => {
  const r = indexedDB.open('fieldkit-console-partials');
  r.onerror = () => reject(r.error);
  r.onsuccess = () => {
    const q = r.result.transaction('partials').objectStore('partials').getAll();
    q.onsuccess = () => { resolve(q.result.map((p) => p.held)); r.result.close(); };
    q.onerror = () => reject(q.error);
  };
})`;

async function world() {
  let relay: TcpRelay | undefined;
  const w = await consoleWorld(async (hubPort) => {
    relay = await startTcpRelay(hubPort);
    cleanups.push(() => relay!.close());
    return relay.port;
  });
  cleanups.push(() => w.close());
  await w.page.locator('[data-hub="up"]').waitFor({ timeout: 30_000 });
  const photo = () =>
    w.kit.send({
      kind: 'photo',
      to: 'spec-ivanova',
      body: new Uint8Array(randomBytes(PHOTO_BYTES)),
      media: 'image/jpeg',
    });
  return { ...w, relay: relay!, photo };
}

// A case of several hundred KiB crosses 256 kbit/s in tens of seconds; the field link cuts more
// often than that. The console keeps the verified blocks of an unfinished object in IndexedDB and
// answers the hub's next OFFER with a HAVE naming them, so the hub sends only the rest. Before, the
// console answered every OFFER with an empty HAVE and the object came again from byte 0.
describe('the console resumes a large object after a cut (Chromium, real hub and kit)', () => {
  it('after the path is cut mid-photo, the hub sends the console only what it lacks', async () => {
    const { watched, page, relay, photo } = await world();
    relay.setRate!(FLOOR);
    const start = relay.bytesDown!;
    const sent = await photo();
    await until(() => relay.bytesDown! - start >= 0.45 * PHOTO_BYTES, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: 'half the photo on the path',
    });
    // The connections die; the path stays dead (new ones stall) while we read what the console
    // kept of what reached it, so no block of the resumed transfer is counted as held at the cut.
    relay.killAll();
    relay.cut();
    const atCut = relay.bytesDown!;
    const heldNow = async () => (await page.evaluate<number[]>(HELD_PARTIALS)).reduce((a, b) => a + b, 0);
    let held = -1;
    await until(
      async () => {
        const [before, after] = [held, await heldNow()];
        held = after;
        return after > 0 && after === before;
      },
      { timeoutMs: 10_000, intervalMs: 300, what: 'blocks kept in the console, settled' },
    );
    relay.heal();

    await watched.untilState(sent.itemId, 'delivered', 120_000);
    const afterCut = relay.bytesDown! - atCut;
    console.log(
      `console-resume cut: photo ${PHOTO_BYTES} B, held at the cut ${held} B, path bytes after the cut ${afterCut} B ` +
        `(${((afterCut / PHOTO_BYTES) * 100).toFixed(0)} % of the photo), load ${loadAvg()}`,
    );
    expect(held).toBeGreaterThan(0.25 * PHOTO_BYTES);
    // What crossed after the cut: the rest of the photo, plus TLS, HTTP and link framing.
    expect(afterCut).toBeLessThan(PHOTO_BYTES - held + 0.15 * PHOTO_BYTES);
    expect(afterCut).toBeLessThan(0.8 * PHOTO_BYTES);
    // Whole now: the console keeps no partial of it.
    expect(await page.evaluate(HELD_PARTIALS)).toEqual([]);
  }, 240_000);

  it('after a reload of the page mid-photo, the reloaded console asks only for the rest', async () => {
    const { watched, page, relay, photo } = await world();
    await page.addInitScript(COUNT_LINK_BYTES);
    relay.setRate!(FLOOR);
    const start = relay.bytesDown!;
    const sent = await photo();
    await until(() => relay.bytesDown! - start >= 0.45 * PHOTO_BYTES, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: 'half the photo on the path',
    });
    // The specialist reloads (and unlocks again): the page's link and its memory are gone.
    await reopenConsole(page, 'кардиолог-2026');
    await watched.untilState(sent.itemId, 'delivered', 120_000);
    const linkIn = await page.evaluate<number>('window.__linkIn');
    console.log(
      `console-resume reload: photo ${PHOTO_BYTES} B, link bytes to the reloaded page ${linkIn} B ` +
        `(${((linkIn / PHOTO_BYTES) * 100).toFixed(0)} % of the photo), load ${loadAvg()}`,
    );
    expect(linkIn).toBeGreaterThan(0);
    expect(linkIn).toBeLessThan(0.8 * PHOTO_BYTES);
    expect(await page.evaluate(HELD_PARTIALS)).toEqual([]);
  }, 240_000);
});

/** The 1, 5 and 15 minute load averages, printed beside every figure. */
function loadAvg(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
