import { mkdirSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { callMedia } from '../../runtime/link/live/call-wire.ts';
import { WAIT, expectEventually, liveWorld } from './live-world.ts';

const SHOTS = 'artifacts/screenshots';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Inbound audio bytes as a call panel shows them (read from getStats every second). */
async function inbound(stats: Locator): Promise<number> {
  return Number((await stats.getAttribute('data-inbound-bytes')) ?? '0');
}

/** Waits until the panel's inbound audio has grown past what it was a moment ago. */
async function audioFlows(stats: Locator): Promise<void> {
  await stats.waitFor(WAIT);
  const first = await inbound(stats);
  await expectEventually(async () => (await inbound(stats)) > first + 1000, 30_000);
  expect(await stats.getAttribute('data-codec')).toBe('audio/opus');
}

async function ring(con: Page, tab: Page): Promise<void> {
  await con.locator('.call-controls').getByRole('button', { name: 'Позвонить' }).click();
  await tab.locator('[data-testid="call-panel"][data-call="ringing"]').waitFor(WAIT);
}

async function connect(con: Page, tab: Page): Promise<void> {
  await ring(con, tab);
  await tab.click('[data-testid="call-accept"]');
  await con.locator('.call-controls[data-call="connected"]').waitFor(WAIT);
  await tab.locator('[data-testid="call-panel"][data-call="connected"]').waitFor(WAIT);
  await audioFlows(con.locator('.call-controls .call-stats'));
  await audioFlows(tab.locator('[data-testid="call-stats"]'));
}

// A call in real parts: the console in one Chromium, the tablet in another (fake microphones:
// test tones), the hub relaying the console's signaling to the kit, the kit ringing its paired
// tablet over the live channel and relaying the tablet's answer back (POST /api/call). Opus audio
// flows whether or not the call also has video. Each side hangs up in turn,
// and each side's page closing ends the call on the other.
describe('an audio call between the console and the tablet (Chromium ⇄ Chromium)', () => {
  it('connects with audio flowing both ways, and is torn down from either side', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const w = await liveWorld(cleanups);
    const { con } = w;
    let tab = w.tab;

    // Declined on the tablet: the console hears it.
    await ring(con, tab);
    expect(await tab.locator('[data-testid="call-panel"] .call-title').innerText()).toBe(
      'Входящий звонок: Иванова А. П.',
    );
    // Video only when the measured link allows it (the live channel's probe may or may not have
    // finished when the call starts: console-call-video tests each case). Either way the offer,
    // the console and the tablet agree.
    const kbps = await con.locator('.call-controls').getAttribute('data-link-kbps');
    const video = callMedia(kbps ? Number(kbps) : null).video;
    expect(await con.locator('.call-controls').getAttribute('data-video')).toBe(String(video));
    expect(await tab.locator('[data-testid="call-kind"]').innerText()).toBe(
      video
        ? 'Звонок с видео'
        : kbps
          ? `Голосовой звонок: канал ${kbps} кбит/с, для видео нужно от 384 кбит/с`
          : 'Голосовой звонок: скорость канала не измерена',
    );
    await tab.screenshot({ path: `${SHOTS}/tablet-call-ringing.png` });
    await tab.click('[data-testid="call-decline"]');
    await con.locator('.call-controls[data-call="ended"]').waitFor(WAIT);
    expect(await con.locator('.call-ended').getAttribute('data-ended')).toBe('declined');
    expect(await con.locator('.call-ended').innerText()).toBe('Звонок завершён: на планшете отклонили вызов');

    // 1. Connected; the console hangs up; the tablet sees the end.
    await connect(con, tab);
    // Each call is decided on the figure measured when it is placed: the probe may have finished
    // between the declined call and this one, so this call's own decision is read again.
    const connectedWithVideo = (await con.locator('.call-controls').getAttribute('data-video')) === 'true';
    expect(await con.locator('.call-state').innerText()).toContain(
      connectedWithVideo ? 'голос и видео' : 'только голос',
    );
    await con.locator('.live-panel').scrollIntoViewIfNeeded();
    await con.screenshot({ path: `${SHOTS}/console-call-connected.png` });
    await tab.screenshot({ path: `${SHOTS}/tablet-call-connected.png` });
    await con.locator('.call-controls').getByRole('button', { name: 'Завершить' }).click();
    await tab.locator('[data-testid="call-panel"][data-call="ended"]').waitFor(WAIT);
    expect(await tab.locator('[data-testid="call-ended"]').getAttribute('data-ended')).toBe('remote');
    await tab.screenshot({ path: `${SHOTS}/tablet-call-ended.png` });
    await tab.getByRole('button', { name: 'Закрыть' }).click();

    // 2. Connected again; the tablet hangs up; the console sees the end.
    await connect(con, tab);
    await tab.click('[data-testid="call-hangup"]');
    await con.locator('.call-controls[data-call="ended"]').waitFor(WAIT);
    expect(await con.locator('.call-ended').getAttribute('data-ended')).toBe('remote');
    await con.screenshot({ path: `${SHOTS}/console-call-ended.png` });

    // 3. The tablet's page closes mid-call: the console's call ends by itself.
    await connect(con, tab);
    const context = tab.context();
    await tab.close({ runBeforeUnload: true });
    await con.locator('.call-controls[data-call="ended"]').waitFor(WAIT);

    // 4. A new tablet page (still paired); the console's page closes mid-call: the tablet's ends.
    tab = await context.newPage();
    await tab.goto(`${w.kit.url}visits/${w.visitId}`);
    await tab.waitForSelector('[data-testid="visit-screen"]', WAIT);
    await tab.locator('[data-testid="live-2708-6"]').waitFor(WAIT);
    await connect(con, tab);
    await con.close({ runBeforeUnload: true });
    await tab.locator('[data-testid="call-panel"][data-call="ended"]').waitFor(WAIT);
    expect(await tab.locator('[data-testid="call-ended"]').getAttribute('data-ended')).toBe('remote');
  }, 500_000);
});
