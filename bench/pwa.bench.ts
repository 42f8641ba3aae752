import { firstRender } from './pwa/first-render.ts';
import { startBenchKit } from './pwa/bench-kit.ts';
import { launchBenchBrowser, percentile, round1 } from './pwa/browser.ts';
import { liveLatency } from './pwa/live-latency.ts';
import { firstScreenBytes } from './pwa/size.ts';

/**
 * `npm run bench -- pwa --json`: the tablet app in real Chromium against a real kit.
 * - `js_css_gzip_kb`: the app's JS and CSS the first screens load (the patient list, and a visit
 *   opened by deep link), gzip -9, the larger of the two (target <= 60);
 * - `first_render_ms`: navigation start to the first frame of the visit screen, CPU slowed 4x,
 *   service worker installed and the visit cached on the tablet, median (target <= 800), beside
 *   the peer `first_render_cold_ms` (no service worker, empty cache);
 * - `live_p99_ms`: instrument notification to the value painted, 10 tablets on the visit and
 *   12 simulated instruments streaming (10 PLX oximeters at 2 Hz and 2 BP cuffs: the two kinds
 *   of simulated instrument that exist), p99 over every painted value on every tablet (target
 *   <= 50), beside the peer with one tablet.
 */
export default async function run(opts: { quick: boolean }): Promise<Record<string, number>> {
  const kit = await startBenchKit({ oximeters: 10, oximeterHz: 2, cuffs: 2 });
  const browser = await launchBenchBrowser();
  try {
    const visitUrl = `${kit.url}visits/${kit.visitId}`;
    const list = await firstScreenBytes(browser, kit.url, '[data-testid="patient-search"]');
    const visit = await firstScreenBytes(browser, visitUrl, '[data-testid="visit-screen"]');
    const jsCss = Math.max(list.js + list.css, visit.js + visit.css) / 1024;

    const render = await firstRender(browser, visitUrl, opts.quick ? 3 : 9);
    const seconds = opts.quick ? 5 : 20;
    const one = await liveLatency(browser, visitUrl, 1, seconds);
    const ten = await liveLatency(browser, visitUrl, 10, seconds);
    const warm = percentile(render.warm, 50);
    const cold = percentile(render.cold, 50);
    return {
      js_css_gzip_kb: round1(jsCss),
      js_gzip_kb: round1(Math.max(list.js, visit.js) / 1024),
      css_gzip_kb: round1(Math.max(list.css, visit.css) / 1024),
      first_render_ms: Math.round(warm),
      first_render_p90_ms: Math.round(percentile(render.warm, 90)),
      first_render_cold_ms: Math.round(cold),
      first_render_warm_vs_cold_ratio: Math.round((warm / cold) * 100) / 100,
      live_p99_ms: round1(percentile(ten, 99)),
      live_p50_ms: round1(percentile(ten, 50)),
      live_samples: ten.length,
      live_p99_ms_1_tablet: round1(percentile(one, 99)),
      live_p99_10_vs_1_tablet_ratio: Math.round((percentile(ten, 99) / percentile(one, 99)) * 100) / 100,
      instruments_streaming: kit.instruments.length,
      tablets: 10,
    };
  } finally {
    await browser.close();
    await kit.close();
  }
}
