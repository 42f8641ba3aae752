import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM_PATH, nssDbWithTrust } from './chromium.ts';

/** The acceptance viewport: a 10-inch tablet in landscape. */
export const TABLET_VIEWPORT = { width: 1280, height: 800 } as const;

/**
 * Real headless Chromium with fake media devices (a test tone as microphone, a test pattern as
 * camera, permission prompts accepted), one browser context per tablet: each has its own
 * IndexedDB, service worker registration and cache, as two physical tablets would. `trustCaPem`:
 * the kit CAs the tablets trust (installed in the NSS database Chromium reads, as a user would).
 */
export async function launchTablets(
  options: { trustCaPem?: readonly string[]; extraArgs?: readonly string[] } = {},
): Promise<{
  browser: Browser;
  tablet: () => Promise<{ context: BrowserContext; page: Page }>;
  close: () => Promise<void>;
}> {
  const home = mkdtempSync(join(tmpdir(), 'fieldkit-tablets-'));
  mkdirSync(home, { recursive: true });
  if (options.trustCaPem && options.trustCaPem.length > 0) nssDbWithTrust(home, options.trustCaPem);
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
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      ...(options.extraArgs ?? []),
    ],
  });
  return {
    browser,
    tablet: async () => {
      const context = await browser.newContext({
        viewport: TABLET_VIEWPORT,
        locale: 'ru-RU',
        timezoneId: 'Europe/Moscow',
      });
      await context.grantPermissions(['microphone', 'camera']);
      const page = await context.newPage();
      return { context, page };
    },
    close: async () => {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
