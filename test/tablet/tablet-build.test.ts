import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../../pwa/dist/', import.meta.url));

/**
 * The shape of the tablet build that its first render depends on (pwa/dist, built by the test
 * setup with scripts/build-pwa.js). Why each: Chromium consumes a V8 code cache for a classic
 * script its service worker stored, not for module scripts; an SVG favicon is a whole SVG
 * document in the page's renderer; the inlined start script opens IndexedDB while the app loads.
 */
describe('tablet build', () => {
  const html = readFileSync(`${dist}index.html`, 'utf8');
  const sw = readFileSync(`${dist}sw.js`, 'utf8');

  it('is one classic deferred script, precached by the service worker', () => {
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*>/g)];
    expect(scripts).toHaveLength(1);
    expect(scripts[0]![0]).toMatch(/\bdefer\b/);
    expect(html).not.toMatch(/type="module"|modulepreload/);
    const src = scripts[0]![1]!;
    expect(readdirSync(dist)).toContain(src.slice(1));
    expect(sw).toContain(src.slice(1));
  });

  it('inlines the start script that opens the tablet database early, before the stylesheet', () => {
    const inline = html.match(/<script>([\s\S]*?)<\/script>/);
    expect(inline?.[1]).toContain('fieldkitEarlyDb');
    expect(inline?.[1]).toContain('fieldkit-tablet');
    expect(html.indexOf('<script>')).toBeLessThan(html.indexOf('rel="stylesheet"'));
  });

  it('names a PNG favicon that is a real PNG and precached', () => {
    const icon = html.match(/<link rel="icon" href="\/([^"]+)" type="image\/png"/)?.[1];
    expect(icon).toBeDefined();
    const png = readFileSync(`${dist}${icon!}`);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(32); // IHDR width
    expect(sw).toContain(icon!);
  });

  // One script carries every lazily loaded part, so a heavy import anywhere (zod once came in with
  // the call panel: 133 KiB) lands on the first screen. Issue 10's budget: 60 KiB gzip in all.
  it('first screen (script and stylesheets) fits the 60 KiB gzip budget', () => {
    const refs = [...html.matchAll(/(?:src|href)="\/?([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
    expect(refs.some((r) => r.endsWith('.js'))).toBe(true);
    const bytes = refs.reduce(
      (sum, r) => sum + gzipSync(readFileSync(`${dist}${r}`), { level: 9 }).length,
      0,
    );
    expect(bytes / 1024).toBeLessThanOrEqual(60);
  });
});
