import { mkdirSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, startConsoleHub } from './console-world.ts';

const PASS = 'кардиолог-2026';
const RELOADS = Number(process.env.CONSOLE_RELOADS ?? 40);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** Reloads and waits for the unlock form; false (not thrown) when it does not come in `ms`. */
async function reloadReachesUnlock(page: Page, ms: number): Promise<boolean> {
  await page.reload();
  return page
    .getByLabel('Пароль к ключам')
    .waitFor({ timeout: ms })
    .then(() => true)
    .catch(() => false);
}

describe('the console after a reload (Chromium, IndexedDB, service worker)', () => {
  it(`reaches its unlock form after each of ${RELOADS} reloads, the CPU throttled`, async () => {
    mkdirSync('artifacts/failures', { recursive: true });
    const org = await testOrg();
    const hubS = await testStore('hub-reload');
    cleanups.push(hubS.cleanup);
    const served = await testDirectory(org, [
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices: [] },
    ]);
    const { hub, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { context, page } = await browsers.tablet();
    echoErrors(page, 'console');
    await page.goto(`https://localhost:${hub.port}/`);
    await enrolConsole(page, {
      code: (await hub.codes.issue('spec-ivanova', 'specialist')).code,
      label: 'Ноутбук Ивановой',
      passphrase: PASS,
      identity: 'spec-ivanova',
    });
    // The service worker installed and controls the page (as on every later start of a console).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));

    const cdp: CDPSession = await context.newCDPSession(page);
    const stuck: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      // Alternate no throttling and a slow machine (the CI's load, made reproducible).
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: i % 2 === 0 ? 6 : 1 });
      if (!(await reloadReachesUnlock(page, 15_000))) {
        stuck.push(i);
        await page
          .screenshot({ path: `artifacts/failures/console-reload-loop-${i}.png` })
          .catch(() => undefined);
      }
    }
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 1 });
    expect(stuck).toEqual([]);
  }, 1_200_000);
});
