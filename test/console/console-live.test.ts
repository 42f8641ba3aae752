import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { WAIT, expectEventually, liveWorld } from './live-world.ts';

const SHOTS = 'artifacts/screenshots';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

// Live vitals in real parts: the hub, the kit (simulated instruments, its wrtc answering), the
// console in Chromium (its own RTCPeerConnection offering through the hub's signaling), the
// tablet in another Chromium. A reading the feldsher keeps after the case is open appears in the
// console's live strip, sealed and signed by the kit and verified by the console; when the kit
// goes away the strip says the direct path is down.
describe('live vitals in the open case (Chromium console, kit wrtc)', () => {
  it('a reading kept on the kit appears in the console, «в эфире»; then the path-down state', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const w = await liveWorld(cleanups);
    const strip = w.con.locator('.live-strip');
    await w.con.locator('.live-strip[data-live="up"]').waitFor(WAIT);
    expect(await strip.locator('.on-air').innerText()).toMatch(/в эфире/i);

    // The kit's direct link offers link items to the console too: the console declines at once
    // (it takes them through the hub), so the kit does not wait out its connect timeout.
    await expectEventually(async () => {
      const s = w.kit.kit.link?.direct?.links.get('spec-ivanova')?.status;
      return Promise.resolve(s?.state === 'down' && /through the hub/.test(s.reason));
    });

    // Taken after the case opened: only the live path can bring it now.
    const before = await w.kept();
    await w.keepSpo2();
    const after = await w.kept();
    const [newId, newValue] = [...after].find(([id]) => !before.has(id))!;
    const row = strip.locator('.live-readings li').first();
    await row.waitFor(WAIT);
    await expectEventually(async () => (await strip.locator('.live-readings li').count()) >= 1);
    expect(await row.getAttribute('data-code')).toBe('2708-6');
    expect(newValue).not.toBeNull();
    expect(await row.locator('.live-value').innerText()).toContain(String(Math.round(newValue!)));
    expect(await row.locator('.live-time').innerText()).toMatch(/^\d\d:\d\d$/);
    expect(newId).toBeTruthy();
    await w.con.locator('.live-panel').scrollIntoViewIfNeeded();
    await w.con.screenshot({ path: `${SHOTS}/console-live-on-air.png` });

    // The kit goes away: silence on the channel, and the strip says what that means.
    await w.kit.stop();
    await w.con.locator('.live-strip[data-live="down"]').waitFor({ timeout: 30_000 });
    expect(await strip.locator('.live-off').innerText()).toBe(
      'прямой связи нет — данные придут через сервер',
    );
    // What arrived stays on screen.
    expect(await strip.locator('.live-readings li').count()).toBeGreaterThanOrEqual(1);
    await w.con.screenshot({ path: `${SHOTS}/console-live-down.png` });
  }, 400_000);
});
