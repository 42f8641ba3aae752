import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH, nssDbWithTrust } from '../../test/helpers/chromium.ts';

/** The acceptance viewport: a 10-inch tablet in landscape. */
export const TABLET_VIEWPORT = { width: 1280, height: 800 } as const;

/** The bench's Chromium and how to end it (the browser, then its HOME with the NSS database). */
export interface BenchBrowser {
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * Headless Debian Chromium with the flags this machine needs (see test/helpers/chromium.ts),
 * trusting the kit's CA as a tablet whose user installed it does: the CA goes into a fresh NSS
 * database under a private HOME (Chromium on Linux reads user trust from there). No
 * certificate-error bypass: the bench measures the kit's real HTTPS.
 */
export async function launchBenchBrowser(caPem: string): Promise<BenchBrowser> {
  const home = mkdtempSync(join(tmpdir(), 'fieldkit-bench-home-'));
  nssDbWithTrust(home, [caPem]);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    env: { ...process.env, HOME: home },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** How a bench tablet is made. */
export interface TabletOptions {
  /** Let the app's service worker install (the warm path) or block it (every other measure). */
  readonly serviceWorkers: 'allow' | 'block';
  /** Installed in every page before the app runs (the bench's measuring hooks). */
  readonly initScript?: string;
}

/**
 * A tablet (its own browser context: its own IndexedDB, cache and worker) paired with the kit as
 * a real one is: the pairing screen opened from the QR's URL (the one-time code in the fragment),
 * submitted, and the patient list shown with the token kept in the tablet's IndexedDB. Then the
 * HTTP cache is emptied (CDP Network.clearBrowserCache), so what the bench measures next starts
 * from a tablet that has paired but has cached nothing but what its service worker holds.
 */
export async function pairedTablet(
  browser: Browser,
  kit: { readonly url: string; pairingCode(): Promise<string> },
  options: TabletOptions,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: TABLET_VIEWPORT,
    locale: 'ru-RU',
    serviceWorkers: options.serviceWorkers,
  });
  if (options.initScript !== undefined) await context.addInitScript(options.initScript);
  const page = await context.newPage();
  await page.goto(`${kit.url}pair#code=${await kit.pairingCode()}`);
  await page.waitForSelector('[data-testid="pair-code"]', { timeout: 60_000 });
  await page.click('[data-testid="pair-submit"]');
  await page.waitForSelector('[data-testid="patient-search"]', { timeout: 60_000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  return { context, page };
}

/** The p-th percentile (0..100) of a sample, nearest rank. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** Rounded to one decimal. */
export const round1 = (x: number): number => Math.round(x * 10) / 10;
