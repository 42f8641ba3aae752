import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { pairedTablet } from './browser.ts';
import { startCpuWindow, type CpuWindow } from './cpu-meter.ts';
import { openMinimalTablet } from './minimal-tablet.ts';

/**
 * Installed before the app runs: for every live value card whose reading changes, the instant
 * (epoch ms with sub-millisecond parts) the frame that paints it ended: the change is seen by a
 * MutationObserver, and a message posted after it runs once the frame that shows it has run its
 * style, layout and paint (as in first-render.ts). Which frame that is depends on when the DOM
 * changed:
 * - outside a frame (a network task, a timer): the next animation frame shows it, so the message
 *   is posted from that frame's rAF callback;
 * - inside a frame's rAF callbacks (the app applies live values there, once per frame): this very
 *   frame shows it, since its style, layout and paint follow the callbacks, so the message is
 *   posted at once. Waiting for another rAF here, as this did before, timed the frame after the
 *   one that painted the value: one frame too many on every sample.
 * "Inside a frame" is known by wrapping `requestAnimationFrame`: the first callback of a frame
 * marks it, and a message posted then (it runs after the frame's rendering) clears the mark.
 * The bench subtracts the instant the reading's notification reached the kit (see
 * notification-clock.ts): both are this machine's wall clock. Not the reading's `effectiveAt`: a
 * cuff states its own (earlier, whole-second) time.
 */
const MEASURE = `(() => {
  window.__lat = [];
  window.__measure = false;
  const raf = window.requestAnimationFrame.bind(window);
  let inFrame = false;
  window.requestAnimationFrame = (cb) => raf((t) => {
    if (!inFrame) {
      inFrame = true;
      const end = new MessageChannel();
      end.port1.onmessage = () => { inFrame = false; };
      end.port2.postMessage(0);
    }
    cb(t);
  });
  const shown = new Map();
  const obs = new MutationObserver(() => {
    const changed = [];
    for (const el of document.querySelectorAll('.live-value[data-observation-id]')) {
      const key = (el.closest('.instrument')?.dataset.testid ?? '') + '|' + el.dataset.testid;
      const id = el.dataset.observationId;
      if (shown.get(key) === id) continue;
      shown.set(key, id);
      if (window.__measure) changed.push(id);
    }
    if (!changed.length) return;
    const afterFrame = () => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const painted = performance.timeOrigin + performance.now();
        for (const id of changed) window.__lat.push([id, painted]);
      };
      ch.port2.postMessage(0);
    };
    if (inFrame) afterFrame();
    else raf(afterFrame);
  });
  document.addEventListener('DOMContentLoaded', () => obs.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-observation-id'] }));
})();`;

/** One painted value: its observation's id and when the frame painting it ended (epoch ms). */
export interface PaintedValue {
  readonly id: string;
  readonly paintedAt: number;
}

/** How late this process's event loop (the kit's) ran its callbacks during the window, ms. */
export interface LoopDelay {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/**
 * Every value painted over `seconds` of streaming, on every tablet, with `tablets` tablets
 * (each paired with the kit over its HTTPS) on the visit (`page` 'app': the tablet app's visit
 * screen; 'minimal': the peer page of minimal-tablet.ts on the same channel); with the CPU used and the kit's event
 * loop delay in the same window (a reading waits for the loop before it is stored and sent).
 */
export async function liveLatency(
  browser: Browser,
  kit: { readonly url: string; pairingCode(): Promise<string> },
  url: string,
  tablets: number,
  seconds: number,
  page: 'app' | 'minimal' = 'app',
): Promise<{ painted: PaintedValue[]; cpu: CpuWindow; seconds: number; loop: LoopDelay }> {
  const pages: Page[] = [];
  const contexts: BrowserContext[] = [];
  for (let i = 0; i < tablets; i++) {
    if (page === 'minimal') {
      const minimal = await openMinimalTablet(browser, kit, MEASURE);
      contexts.push(minimal.context);
      await minimal.page.waitForSelector('.live-value[data-observation-id]', { timeout: 120_000 });
      pages.push(minimal.page);
      continue;
    }
    const tablet = await pairedTablet(browser, kit, {
      serviceWorkers: 'block',
      initScript: MEASURE,
    });
    contexts.push(tablet.context);
    await tablet.page.goto(url);
    await tablet.page.waitForSelector('.live-value[data-observation-id]', { timeout: 120_000 });
    pages.push(tablet.page);
  }
  await new Promise((r) => setTimeout(r, 1000));
  await Promise.all(
    pages.map((p) => p.evaluate(() => ((window as unknown as { __measure: boolean }).__measure = true))),
  );
  const cpuWindow = startCpuWindow();
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const started = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const cpu = cpuWindow();
  loopDelay.disable();
  const measured = (performance.now() - started) / 1000;
  const ms = (ns: number) => Math.round(ns / 1e5) / 10;
  const loop = {
    p50: ms(loopDelay.percentile(50)),
    p99: ms(loopDelay.percentile(99)),
    max: ms(loopDelay.max),
  };
  const all = await Promise.all(
    pages.map((p) => p.evaluate(() => (window as unknown as { __lat: [string, number][] }).__lat)),
  );
  for (const c of contexts) await c.close();
  return { painted: all.flat().map(([id, paintedAt]) => ({ id, paintedAt })), cpu, seconds: measured, loop };
}
