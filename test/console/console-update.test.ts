import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { ConsultationBody } from '../../runtime/link/items.ts';
import { consoleWorld } from './linked-console.ts';

const SHOTS = 'artifacts/screenshots';
const PASS = 'кардиолог-2026';
const PROMPT = 'Доступна новая версия консоли — обновить';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/**
 * Makes the served console a new build: the shell gets a marker and the worker's precache
 * manifest the shell's new revision (what a rebuild changes), so the browser installs a new worker.
 */
function publishNewBuild(dir: string): void {
  const index = join(dir, 'index.html');
  const html = readFileSync(index, 'utf8');
  writeFileSync(index, html.replace('<head>', '<head>\n    <meta name="fieldkit-build" content="2" />'));
  const sw = join(dir, 'sw.js');
  const code = readFileSync(sw, 'utf8');
  const next = code.replace(
    /"revision":"[0-9a-f]+","url":"index.html"/,
    '"revision":"build2","url":"index.html"',
  );
  if (next === code) throw new Error('the built worker has no index.html revision to change');
  writeFileSync(sw, next);
}

// A console update against real parts: the hub serves a copy of the built console, the console
// in Chromium is enrolled, unlocked and controlled by its service worker, a kit sends it a
// consultation. The copy then becomes a new build; the browser installs the new worker, which waits.
// While the message form holds unsent text the console does not offer the update (a reload would
// lose it); once the message is sent it offers it, a conclusion being typed hides it, also on
// the queue while it is kept there unsent, until it is cleared; taking it activates the new worker and the page
// reloads on the new build.
describe('the console service-worker update (Chromium, hub)', () => {
  it('offers a waiting new version, not over an unsent message, and reloads into it when taken', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'fieldkit-console-build-'));
    cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
    cpSync('pwa/dist-console', dir, { recursive: true });
    const world = await consoleWorld(undefined, { consoleDir: dir });
    cleanups.push(() => world.close());
    const { kit, watched, page } = world;

    // The page is controlled by the first worker (after one reload if the install was late).
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    if (!(await page.evaluate(() => navigator.serviceWorker.controller !== null))) {
      await page.reload();
      await page.getByLabel('Пароль к ключам').fill(PASS);
      await page.getByRole('button', { name: 'Открыть ключи' }).click();
      await page.locator('[data-hub="up"]').waitFor({ timeout: 90_000 });
    }
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await page.locator('meta[name="fieldkit-build"]').count()).toBe(0);

    const body: ConsultationBody = {
      urgency: 'urgent',
      question: 'Давящая боль за грудиной 40 минут. Тактика?',
      patient: { age: 67, sex: 'f' },
      records: [],
      attachments: [],
    };
    const sent = await kit.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      urgent: true,
      body: encodeWire(body),
      media: 'application/cbor',
      records: [],
    });
    await watched.untilState(sent.itemId, 'delivered', 60_000);
    await page.locator('table.queue tbody tr').first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Открыть' }).click();
    const message = page.locator('textarea[name="message"]');
    await message.fill('Снимите ЭКГ повторно через 15 минут.');

    // A new build is published and the browser finds it: the new worker installs and waits.
    publishNewBuild(dir);
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r?.update()));
    await page.waitForFunction(
      () => navigator.serviceWorker.getRegistration().then((r) => !!r?.waiting),
      undefined,
      { timeout: 60_000 },
    );
    // Unsent text in the message form: no offer yet (give the prompt's checks time to run).
    await page.waitForTimeout(1500);
    const prompt = page.getByRole('button', { name: PROMPT });
    expect(await prompt.count()).toBe(0);

    // The message is sent: the form is empty and the update is offered.
    await page.getByRole('button', { name: 'Отправить сообщение' }).click();
    await prompt.waitFor({ timeout: 30_000 });
    expect(await message.inputValue()).toBe('');
    await page.screenshot({ path: `${SHOTS}/console-update-prompt.png` });

    // A conclusion being written hides the offer again. Back on the queue the conclusion is kept
    // (it is not on screen, and a reload would lose it), so still no offer; the case reopened
    // shows it as it was left. Cleared, it is no draft: back on the queue the offer comes.
    const findings = page.locator('textarea[name="findings"]');
    await findings.fill('Острый коронарный синдром');
    await page.locator('input[name="diagnosis"]').fill('ОКС без подъёма ST');
    await prompt.waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('button', { name: '← К очереди' }).click();
    await page.locator('table.queue tbody tr').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1500);
    expect(await prompt.count()).toBe(0);
    await page.getByRole('button', { name: 'Открыть' }).click();
    expect(await findings.inputValue()).toBe('Острый коронарный синдром');
    expect(await page.locator('input[name="diagnosis"]').inputValue()).toBe('ОКС без подъёма ST');
    await findings.fill('');
    await page.locator('input[name="diagnosis"]').fill('');
    await page.getByRole('button', { name: '← К очереди' }).click();
    await prompt.waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${SHOTS}/console-update-prompt-queue.png` });

    // Taken: the waiting worker activates, controls the page, and the page reloads on the new build.
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await prompt.click();
    await reloaded;
    await page.locator('meta[name="fieldkit-build"]').waitFor({ state: 'attached', timeout: 30_000 });
    await page.getByRole('button', { name: 'Открыть ключи' }).waitFor({ timeout: 30_000 });
    const after = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return {
        waiting: !!reg?.waiting,
        controlled: navigator.serviceWorker.controller !== null,
        activeIsController: reg?.active?.scriptURL === navigator.serviceWorker.controller?.scriptURL,
      };
    });
    expect(after).toEqual({ waiting: false, controlled: true, activeIsController: true });
    expect(await prompt.count()).toBe(0);
  }, 300_000);
});
