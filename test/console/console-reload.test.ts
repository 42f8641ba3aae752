import { mkdirSync } from 'node:fs';
import type { CDPSession, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, startConsoleHub } from './console-world.ts';

const PASS = 'кардиолог-2026';
const SHOTS = 'artifacts/screenshots';
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

// Issue 12: after some reloads the console stayed at its loading screen for good. The cause: its
// screens subscribed to the state in an effect Preact runs after paint, and a vault read that
// finished first was told to no one (a debug build showed phase 'unlock' on a stuck page). The
// race is rare: with use-console.ts reverted alone, 2 of 200 reloads stuck here (1 of 40, 2 of
// 120 in other runs, load 8 to 14 on 2 cores), so 40 reloads catch it only about every other
// run; CONSOLE_RELOADS=200 makes it near certain. Fixed: 0 of 200, 0 of 120, 0 of 40.
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

  // Another tab of the same origin upgrades the console's database (as a newer console would)
  // and holds its upgrade open. The running console must let go of its connection (not block
  // the upgrade), say it can no longer save, and a reloaded console that cannot open the
  // database must say so in Russian with a retry, which works once the database is free.
  it('lets another tab upgrade its database, and says so with a retry instead of waiting for good', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const hubS = await testStore('hub-upgrade');
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

    // The other tab: same origin (a hub API address, so no console runs in it), opening the
    // database at version 2 and keeping its upgrade transaction busy until told to abort.
    const other = await context.newPage();
    await other.goto(`https://localhost:${hub.port}/api/cases`);
    const upgrading = await other.evaluate(
      () =>
        new Promise<string>((resolve) => {
          const request = indexedDB.open('fieldkit-console', 2);
          request.onupgradeneeded = () => {
            const tx = request.transaction!;
            let stop = false;
            (globalThis as unknown as { stopUpgrade: () => void }).stopUpgrade = () => {
              stop = true;
              tx.abort();
            };
            const spin = () => {
              if (!stop) tx.objectStore('state').get('spin').onsuccess = spin;
            };
            spin();
            resolve('upgrading');
          };
          request.onerror = () => undefined;
          setTimeout(() => resolve('blocked for 15 s'), 15_000);
        }),
    );
    // Without the console closing its connection on 'versionchange' this stays blocked.
    expect(upgrading).toBe('upgrading');

    // The running console knows it lost its database: no silent failures of later writes.
    const failed = page.locator('[data-start="failed"]');
    await page.locator('[data-start="failed"][data-reason="closed"]').waitFor({ timeout: 30_000 });
    expect(await failed.getByRole('alert').innerText()).toContain('обновлено в другой вкладке');
    await page.screenshot({ path: `${SHOTS}/console-start-closed.png` });

    // Reloaded while the upgrade holds the database: the open cannot finish; after its time
    // limit the console says so, with a retry (before the fix: a loading screen for good).
    await page.getByRole('button', { name: 'Перезагрузить страницу' }).click();
    await page.locator('[data-start="failed"][data-reason="timeout"]').waitFor({ timeout: 60_000 });
    expect(await failed.getByRole('alert').innerText()).toContain('Браузер не ответил хранилищу консоли');
    expect(await page.getByLabel('Пароль к ключам').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/console-start-timeout.png` });

    // The other tab gives up its upgrade: the retry opens the database, the keys are all there.
    await other.evaluate(() => (globalThis as unknown as { stopUpgrade: () => void }).stopUpgrade());
    await page.getByRole('button', { name: 'Повторить' }).click();
    await page.getByLabel('Пароль к ключам').fill(PASS);
    await page.getByRole('button', { name: 'Открыть ключи' }).click();
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });
  }, 300_000);
});
