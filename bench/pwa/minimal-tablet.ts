import type { Browser, BrowserContext, Page } from 'playwright-core';
import { TABLET_VIEWPORT } from './browser.ts';

/**
 * The peer of the live measure: the least a tablet page can do to show live values. It pairs
 * with a one-time code (the same `POST /api/pair`), reads the same `/api/live` channel with its
 * bearer token through `fetch()`, and on each `observations` event sets one element's text per
 * instrument and code, at once (no framework, no batching, no other screen). The bench's
 * measuring hook sees its elements as it sees the app's (`.instrument` > `.live-value` with
 * `data-observation-id`). So the same kit, channel, TLS, browser and machine carry both, and
 * what the app adds is the difference. Ten of these on one machine also show what the machine
 * itself costs: ten renderers painting the same burst at once on two cores.
 */
const MINIMAL_PAGE = `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>minimal tablet</title>
<style>body { font: 40px sans-serif; } .live-value { display: inline-block; width: 6ch; }</style>
</head><body><script type="module">
const code = new URLSearchParams(location.hash.slice(1)).get('code');
const paired = await fetch('/api/pair', {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ code, name: 'bench minimal tablet' }),
});
const { token } = await paired.json();
const cells = new Map();
function show(list) {
  for (const o of list) {
    const key = o.deviceId + '|' + o.loinc;
    let el = cells.get(key);
    if (!el) {
      const instrument = document.createElement('div');
      instrument.className = 'instrument';
      instrument.dataset.testid = 'instrument-' + o.deviceId;
      el = document.createElement('div');
      el.className = 'live-value';
      el.dataset.testid = 'live-' + o.loinc;
      instrument.append(el);
      document.body.append(instrument);
      cells.set(key, el);
    }
    el.textContent = String(o.value ?? o.components.map((c) => c.value).join('/'));
    el.dataset.observationId = o.id;
  }
}
const live = await fetch('/api/live', {
  headers: { authorization: 'Bearer ' + token, accept: 'text/event-stream' },
  cache: 'no-store',
  credentials: 'omit',
});
const reader = live.body.pipeThrough(new TextDecoderStream()).getReader();
let buffer = '';
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  buffer += value;
  let end;
  while ((end = buffer.indexOf('\\n\\n')) >= 0) {
    const block = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    let event = 'message';
    let data = '';
    for (const line of block.split('\\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += line.slice(5).trimStart();
    }
    if (event === 'observations') show(JSON.parse(data));
  }
}
</script></body></html>`;

/** Where the minimal page is served from: the kit's own origin, so its requests are same-origin. */
const MINIMAL_PATH = '__bench/minimal-tablet';

/**
 * A browser context showing the minimal page, paired with the kit by a fresh code. The page is
 * served by the browser context itself (playwright's route, for this one path only: the kit
 * does not serve bench pages); its pairing and live channel go to the kit over its real HTTPS.
 */
export async function openMinimalTablet(
  browser: Browser,
  kit: { readonly url: string; pairingCode(): Promise<string> },
  initScript: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: TABLET_VIEWPORT,
    locale: 'ru-RU',
    serviceWorkers: 'block',
  });
  context.setDefaultTimeout(120_000);
  context.setDefaultNavigationTimeout(120_000);
  await context.addInitScript(initScript);
  const url = `${kit.url}${MINIMAL_PATH}`;
  await context.route(url, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: MINIMAL_PAGE }),
  );
  const page = await context.newPage();
  await page.goto(`${url}#code=${await kit.pairingCode()}`);
  return { context, page };
}
