import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { pairedTablet } from './browser.ts';
import { startBrowserUiCpuWindow } from './cpu-meter.ts';

/**
 * Installed before the app runs: notes when the visit screen (its heading, drawn only with the
 * whole screen) is first in a painted frame. The DOM change is seen by a MutationObserver; the
 * frame that shows it is the next animation frame, and a message posted from its rAF callback
 * runs after that frame's style, layout and paint: that instant is `__visitDrawnAt`.
 */
const MARK_DRAWN = `(() => {
  const seen = () => document.querySelector('[data-testid="visit-screen"] .visit-head h1');
  const mark = () => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => { window.__visitDrawnAt = performance.now(); };
    ch.port2.postMessage(0);
  });
  const obs = new MutationObserver(() => { if (seen()) { obs.disconnect(); mark(); } });
  document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, { childList: true, subtree: true }));
})();`;

/** Where one first render spent its time (ms from navigation start; see {@link firstRender}). */
export interface RenderPhases {
  /** The page's HTML received (from the service worker on the warm path). */
  readonly html: number;
  /** The app's modules fetched, compiled and run (`fk:main`, the first line of main.tsx). */
  readonly modules: number;
  /** What the tablet kept read from IndexedDB (`fk:restored`). */
  readonly restored: number;
  /** The first frame showing the visit screen painted. */
  readonly drawn: number;
}

const PHASES = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const mark = (n) => performance.getEntriesByName(n)[0]?.startTime ?? NaN;
  return { html: nav ? nav.responseEnd : NaN, modules: mark('fk:main'), restored: mark('fk:restored'), drawn: window.__visitDrawnAt };
})()`;

/**
 * Waits for the drawn mark with bare CDP `Runtime.evaluate` calls of one property read: unlike
 * playwright's waitForFunction, which compiles its injected script in the page, this puts no
 * work of the bench on the page's (throttled) main thread while the app is starting.
 */
async function phasesOf(cdp: CDPSession): Promise<RenderPhases> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await cdp.send('Runtime.evaluate', {
      expression: 'window.__visitDrawnAt',
      returnByValue: true,
    });
    if (typeof r.result.value === 'number') break;
    if (Date.now() > deadline) throw new Error('the visit screen was not drawn within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const r = await cdp.send('Runtime.evaluate', { expression: PHASES, returnByValue: true });
  return r.result.value as RenderPhases;
}

/**
 * Waits until the browser's own window UI renderers are idle (under 20 ms of CPU in half a
 * second), at most `limitMs`.
 */
async function browserUiSettled(limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const used = startBrowserUiCpuWindow();
    await new Promise((resolve) => setTimeout(resolve, 500));
    if (used() < 20) return;
  }
}

/**
 * A new tab of `context` with its CPU slowed `rate` times, its CDP session and how to end both.
 * The desktop tab loads its own UI (its omnibox popup, in a renderer of its own, 0.3 to 1.4 s of
 * CPU) at its first navigation: the tab navigates to about:blank first and waits for that to
 * end, so the measured navigation does not share the two cores with it (a tablet's installed app
 * has no address bar). about:blank stays in the tab's initial renderer without giving it a site,
 * so the app still starts in that new process, as before (checked in a trace: the app's renderer
 * loads its fonts and compiles its functions afresh, and no top-chrome renderer runs meanwhile);
 * a data: page instead would have sent the app into the service worker's warm process.
 */
async function throttledPage(
  context: BrowserContext,
  rate: number,
): Promise<{ page: Page; cdp: CDPSession }> {
  const page = await context.newPage();
  await page.goto('about:blank');
  await browserUiSettled();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate });
  return { page, cdp };
}

/** The samples of {@link firstRender}. */
export interface FirstRenderSamples {
  /** The app opened in a new page (as from the home screen), warm service worker. */
  readonly warm: RenderPhases[];
  /** The same tablet reloading an open visit page (the old page's teardown included). */
  readonly reload: RenderPhases[];
  /** A tablet just paired, no service worker, empty HTTP cache. */
  readonly cold: RenderPhases[];
  /**
   * CPU ms the desktop browser's own window UI renderers used during each warm sample (see
   * startBrowserUiCpuWindow): work beside the app's on the same cores, not the app's.
   */
  readonly warmBrowserUiCpuMs: number[];
}

/**
 * From navigation start to the first painted frame showing the visit screen, with the CPU slowed
 * 4x (CDP Emulation.setCPUThrottlingRate, set before the navigation):
 * - `warm`: the tablet opening the app during a house call: a new page (a new renderer, as when
 *   the app is launched from the home screen), the service worker installed and holding the app,
 *   the visit cached in IndexedDB;
 * - `reload`: the same tablet reloading the visit page (navigation start is before the old
 *   page is torn down, so its teardown counts);
 * - `cold`: a tablet just paired, no service worker and an empty HTTP cache.
 * Every tablet pairs with the kit first (over its real HTTPS, with a one-time code).
 */
export async function firstRender(
  browser: Browser,
  kit: { readonly url: string; pairingCode(): Promise<string> },
  url: string,
  rounds: number,
): Promise<FirstRenderSamples> {
  const warm: RenderPhases[] = [];
  const reload: RenderPhases[] = [];
  const cold: RenderPhases[] = [];
  const warmBrowserUiCpuMs: number[] = [];
  const { context, page } = await pairedTablet(browser, kit, {
    serviceWorkers: 'allow',
    initScript: MARK_DRAWN,
  });
  await page.goto(url);
  await page.waitForSelector('[data-testid="live-panel"]');
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  // Let the app cache the visit, then reload once so the worker controls the page.
  await page.waitForTimeout(500);
  await page.reload();
  await page.waitForSelector('[data-testid="live-panel"]');
  if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null)))
    throw new Error('service worker not in control');
  // One page of this tablet at a time: pages of one site may share a renderer (and its thread).
  await page.close();
  for (let r = 0; r < rounds; r++) {
    const opened = await throttledPage(context, 4);
    const browserUi = startBrowserUiCpuWindow();
    await opened.page.goto(url, { waitUntil: 'commit' });
    warm.push(await phasesOf(opened.cdp));
    warmBrowserUiCpuMs.push(browserUi());
    await opened.page.reload({ waitUntil: 'commit' });
    reload.push(await phasesOf(opened.cdp));
    await opened.page.close();

    const { context: fresh, page: pairing } = await pairedTablet(browser, kit, {
      serviceWorkers: 'block',
      initScript: MARK_DRAWN,
    });
    const first = await throttledPage(fresh, 4);
    await pairing.close();
    await first.page.goto(url, { waitUntil: 'commit' });
    cold.push(await phasesOf(first.cdp));
    await fresh.close();
  }
  await context.close();
  return { warm, reload, cold, warmBrowserUiCpuMs };
}
