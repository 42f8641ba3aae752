import { gzipSync } from 'node:zlib';
import type { BrowserContext } from 'playwright-core';

/**
 * Everything a screen loads of the app itself (HTML, JS, CSS, as the browser requested it with
 * an empty HTTP cache and no service worker), gzipped at level 9 as a server or the precache
 * would. `context`: the tablet (paired or not, as the screen needs); it is closed afterwards.
 */
export async function firstScreenBytes(
  context: BrowserContext,
  url: string,
  ready: string,
): Promise<{ js: number; css: number; html: number; files: number }> {
  const page = await context.newPage();
  const bodies: Promise<{ type: string; bytes: number }>[] = [];
  page.on('response', (res) => {
    const type = res.request().resourceType();
    if (type === 'script' || type === 'stylesheet' || type === 'document')
      bodies.push(res.body().then((b) => ({ type, bytes: gzipSync(b, { level: 9 }).byteLength })));
  });
  await page.goto(url);
  await page.waitForSelector(ready);
  // Lazy chunks a screen asks for arrive just after it is drawn.
  await page.waitForTimeout(1000);
  const all = await Promise.all(bodies);
  await context.close();
  const sum = (t: string) => all.filter((b) => b.type === t).reduce((s, b) => s + b.bytes, 0);
  return { js: sum('script'), css: sum('stylesheet'), html: sum('document'), files: all.length };
}
