import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { VIDEO_FROM_KBPS } from '../../runtime/link/live/call-policy.ts';
import { WAIT, expectEventually, liveWorld } from './live-world.ts';

const SHOTS = 'artifacts/screenshots';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** A numeric data attribute (0 when absent). */
async function num(l: Locator, attr: string): Promise<number> {
  return Number((await l.getAttribute(attr)) ?? '0');
}

/** Waits for the console's probe of the direct path to give a figure, and returns it (kbit/s). */
async function measured(con: Page): Promise<number> {
  const line = con.locator('.call-controls .call-link');
  await expectEventually(async () => ((await line.getAttribute('data-measured')) ?? '') !== '', 60_000);
  return num(line, 'data-measured');
}

/** Rings the tablet from the console and takes the call there; both sides connected. */
async function callAndAccept(con: Page, tab: Page): Promise<void> {
  await con.locator('.call-controls').getByRole('button', { name: 'Позвонить' }).click();
  await tab.locator('[data-testid="call-panel"][data-call="ringing"]').waitFor(WAIT);
}

/** Frames decoded on a side (its call panel reads getStats every second), once past `min`. */
async function framesFlow(stats: Locator, min = 10): Promise<void> {
  await stats.waitFor(WAIT);
  await expectEventually(async () => (await num(stats, 'data-frames-decoded')) > min, 60_000);
}

/** The remote picture's size in a <video> (0 when nothing is shown). */
function videoWidth(page: Page): Promise<number> {
  return page.locator('[data-testid="call-video"]').evaluate((v) => (v as HTMLVideoElement).videoWidth);
}

// The call decides video from the link as measured: the console's live channel probes the direct
// path (the kit sends 48 KiB back to back; the console times them; see call-policy.ts), and the
// lowest of that and the kit's own hub measurement counts. Video from 384 kbit/s (the issue's
// 256 with headroom). Real parts throughout: hub, kit (its wrtc), console and tablet in Chromium
// with fake camera and microphone.
describe('video in the call only when the measured link allows it', () => {
  it('on loopback the probe measures a wide link: video is offered and frames flow both ways', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const { con, tab } = await liveWorld(cleanups);
    const kbps = await measured(con);
    expect(kbps).toBeGreaterThanOrEqual(VIDEO_FROM_KBPS);
    const controls = con.locator('.call-controls');
    expect(await controls.getAttribute('data-why')).toBe('wide');
    expect(await controls.locator('.call-why').innerText()).toBe('Звонок будет с видео');
    expect(await controls.locator('.call-link').innerText()).toMatch(
      /^Канал до укладки: \d+ [МкК]?[бБ]ит\/с, задержка \d+ мс$/,
    );

    await callAndAccept(con, tab);
    expect(await tab.locator('[data-testid="call-kind"]').innerText()).toBe('Звонок с видео');
    // The kit reads the offer's SDP: it carries a video section.
    expect(Number(await tab.locator('[data-testid="call-kind"]').getAttribute('data-link-kbps'))).toBe(kbps);
    await tab.click('[data-testid="call-accept"]');
    await con.locator('.call-controls[data-call="connected"][data-video="true"]').waitFor(WAIT);
    await tab.locator('[data-testid="call-panel"][data-call="connected"]').waitFor(WAIT);
    await framesFlow(con.locator('.call-controls .call-stats'));
    await framesFlow(tab.locator('[data-testid="call-stats"]'));
    expect(await con.locator('.call-controls .call-stats').getAttribute('data-codec')).toBe('audio/opus');
    await expectEventually(async () => (await videoWidth(con)) > 0 && (await videoWidth(tab)) > 0, 30_000);
    expect(await con.locator('.call-state').innerText()).toContain('голос и видео');
    await con.locator('.live-panel').scrollIntoViewIfNeeded();
    await con.screenshot({ path: `${SHOTS}/console-call-video.png` });
    await tab.screenshot({ path: `${SHOTS}/tablet-call-video.png` });
    await con.locator('.call-controls').getByRole('button', { name: 'Завершить' }).click();
    await tab.locator('[data-testid="call-panel"][data-call="ended"]').waitFor(WAIT);
  }, 400_000);

  it('on a narrow link (128 kbit/s) the call stays audio only (Opus) and both screens say why', async () => {
    mkdirSync(SHOTS, { recursive: true });
    // The kit's side of the probe paced at 16 000 bytes/s (128 kbit/s): a narrow uplink the test
    // cannot shape on this shared loopback (test-only option, see live-vitals.ts). The console's
    // measurement of what arrives, the policy and both screens run unchanged.
    const { con, tab } = await liveWorld(cleanups, { probePace: 16_000 });
    const kbps = await measured(con);
    // About 129 (4 KiB chunks with their framing); a busy machine can read it lower, or a little
    // higher if the page handles the first chunk late: what matters is that it is below the line.
    expect(kbps).toBeGreaterThan(0);
    expect(kbps).toBeLessThan(VIDEO_FROM_KBPS);
    const controls = con.locator('.call-controls');
    expect(await controls.getAttribute('data-why')).toBe('narrow');
    expect(await controls.locator('.call-why').innerText()).toBe(
      `Только голос: канал ${kbps} кбит/с, для видео нужно от 384 кбит/с`,
    );

    await callAndAccept(con, tab);
    expect(await controls.getAttribute('data-video')).toBe('false');
    expect(await tab.locator('[data-testid="call-kind"]').innerText()).toBe(
      `Голосовой звонок: канал ${kbps} кбит/с, для видео нужно от 384 кбит/с`,
    );
    await tab.screenshot({ path: `${SHOTS}/tablet-call-ringing-narrow.png` });
    await tab.click('[data-testid="call-accept"]');
    await con.locator('.call-controls[data-call="connected"]').waitFor(WAIT);
    await tab.locator('[data-testid="call-panel"][data-call="connected"]').waitFor(WAIT);
    // Opus audio flows; no video stream exists on either side.
    for (const stats of [
      con.locator('.call-controls .call-stats'),
      tab.locator('[data-testid="call-stats"]'),
    ]) {
      await stats.waitFor(WAIT);
      const first = await num(stats, 'data-inbound-bytes');
      await expectEventually(async () => (await num(stats, 'data-inbound-bytes')) > first + 1000, 30_000);
      expect(await stats.getAttribute('data-codec')).toBe('audio/opus');
      expect(await num(stats, 'data-frames-decoded')).toBe(0);
    }
    expect(await con.locator('.call-state').innerText()).toBe('Разговор идёт · только голос');
    expect(await con.locator('[data-testid="call-video"]').isHidden()).toBe(true);
    expect(await tab.locator('[data-testid="call-video"]').isHidden()).toBe(true);
    await con.locator('.live-panel').scrollIntoViewIfNeeded();
    await con.screenshot({ path: `${SHOTS}/console-call-narrow.png` });
    await tab.screenshot({ path: `${SHOTS}/tablet-call-narrow.png` });
    await tab.click('[data-testid="call-hangup"]');
    await con.locator('.call-controls[data-call="ended"]').waitFor(WAIT);
  }, 400_000);
});
