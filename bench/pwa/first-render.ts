import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pairedTablet } from './browser.ts';

/** Installed before the app runs: notes when the visit screen is first in a painted frame. */
const MARK_DRAWN = `(() => {
  const seen = () => document.querySelector('[data-testid="visit-screen"] .visit-head h1');
  const mark = () => requestAnimationFrame(() => { window.__visitDrawnAt = performance.now(); });
  const obs = new MutationObserver(() => { if (seen()) { obs.disconnect(); mark(); } });
  document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, { childList: true, subtree: true }));
})();`;

async function drawnAt(page: Page): Promise<number> {
  await page.waitForFunction(
    () => (window as unknown as { __visitDrawnAt?: number }).__visitDrawnAt !== undefined,
    null,
    { timeout: 30_000 },
  );
  return page.evaluate(() => (window as unknown as { __visitDrawnAt: number }).__visitDrawnAt);
}

async function throttle(context: BrowserContext, page: Page, rate: number): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
}

/**
 * Milliseconds from navigation start to the first frame showing the visit screen, with the CPU
 * slowed 4x (CDP Emulation.setCPUThrottlingRate): `warm` with the service worker installed and
 * the visit already cached on the tablet (the tablet reopening the app during a house call), and
 * the peer `cold`, a tablet just paired with no service worker and an empty HTTP cache. Both
 * tablets pair with the kit first (over its real HTTPS, with a one-time code).
 */
export async function firstRender(
  browser: Browser,
  kit: { readonly url: string; pairingCode(): Promise<string> },
  url: string,
  rounds: number,
): Promise<{ warm: number[]; cold: number[] }> {
  const warm: number[] = [];
  const cold: number[] = [];
  const { context, page } = await pairedTablet(browser, kit, {
    serviceWorkers: 'allow',
    initScript: MARK_DRAWN,
  });
  await page.goto(url);
  await drawnAt(page);
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  // Let the app cache the visit, then reload once so the worker controls the page.
  await page.waitForSelector('[data-testid="live-panel"]');
  await page.waitForTimeout(500);
  await page.reload();
  await drawnAt(page);
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null)))
    throw new Error('service worker not in control');
  await throttle(context, page, 4);
  for (let r = 0; r < rounds; r++) {
    await page.reload();
    warm.push(await drawnAt(page));
    const { context: fresh, page: pairing } = await pairedTablet(browser, kit, {
      serviceWorkers: 'block',
      initScript: MARK_DRAWN,
    });
    const p = await fresh.newPage();
    await pairing.close();
    await throttle(fresh, p, 4);
    await p.goto(url);
    cold.push(await drawnAt(p));
    await fresh.close();
  }
  await context.close();
  return { warm, cold };
}
