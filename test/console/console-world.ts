import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { HubHandle } from '../../runtime/hub/hub.ts';
import { startHub } from '../../runtime/hub/hub.ts';
import { loadHubTls, type HubTls } from '../../runtime/hub/tls.ts';
import { createLogger } from '../../runtime/log.ts';
import type { RecordStore } from '../../store/index.ts';

/**
 * A real hub with its own CA (made in its encrypted store, as `fieldkit hub` makes it), serving
 * the built console and `directory()`. `rootPem` is the hub's root: what a specialist's browser
 * installs (the tests put it in Chromium's NSS database) and kits pin.
 */
export async function startConsoleHub(
  store: RecordStore,
  directory: () => Uint8Array | undefined,
  /** Where the built console is served from (default: pwa/dist-console; a copy to change builds). */
  consoleDir?: string,
): Promise<{ hub: HubHandle; tls: HubTls; rootPem: string }> {
  const tls = await loadHubTls(store);
  const hub = await startHub({
    store,
    tls,
    port: 0,
    log: createLogger('silent'),
    directory,
    ...(consoleDir ? { consoleDir } : {}),
  });
  return { hub, tls, rootPem: tls.cert };
}

/** Reports a page's errors on stderr (a console that throws should be visible in the test log). */
export function echoErrors(page: Page, who: string): void {
  page.on('pageerror', (e) => process.stderr.write(`${who} page error: ${e.message}\n`));
  page.on('console', (m) => {
    if (m.type() === 'error') process.stderr.write(`${who} page: ${m.text()}\n`);
  });
}

/** Enrols the console in `page` with a one-time code, as a specialist would type it. */
export async function enrolConsole(
  page: Page,
  input: { code: string; label: string; passphrase: string; identity: string },
): Promise<void> {
  await page.getByLabel('Одноразовый код').fill(input.code);
  await page.getByLabel('Название устройства').fill(input.label);
  await page.getByLabel('Пароль к ключам').fill(input.passphrase);
  await page.getByLabel('Пароль ещё раз').fill(input.passphrase);
  await page.getByRole('button', { name: 'Зарегистрировать устройство' }).click();
  await page.locator('.who', { hasText: input.identity }).waitFor({ timeout: 90_000 });
}

/**
 * Reloads the console and types the passphrase on its unlock screen.
 *
 * The console used to stay at its loading screen for good after some reloads (issue 12: its
 * screens subscribed after the IndexedDB read had already been told; fixed in
 * pwa/console/app/use-console.ts, checked by console-reload.test.ts). A reload that shows no
 * unlock form, or shows the console's start failure, now fails the test at once, with what the
 * page showed kept under artifacts/failures: it is a defect, never reloaded away.
 */
export async function reloadAndType(page: Page, passphrase: string): Promise<void> {
  const field = page.getByLabel('Пароль к ключам');
  const failed = page.locator('[data-start="failed"]');
  await page.reload();
  const came = await field
    .or(failed)
    .first()
    .waitFor({ timeout: 90_000 })
    .then(() => true)
    .catch(() => false);
  const refusal = came && (await failed.count()) > 0 ? await failed.innerText().catch(String) : undefined;
  if (!came || refusal !== undefined) {
    const stem = await keepWhatThePageShows(page);
    throw new Error(
      `${refusal === undefined ? 'no unlock form 90 s after a reload' : `the console did not start after a reload: ${refusal}`} (what the page showed: ${stem}.png, ${stem}.txt)`,
    );
  }
  await field.fill(passphrase);
}

async function keepWhatThePageShows(page: Page): Promise<string> {
  mkdirSync('artifacts/failures', { recursive: true });
  const stem = `artifacts/failures/console-reload-${Date.now()}`;
  await page.screenshot({ path: `${stem}.png` }).catch(() => undefined);
  const sw = await page
    .evaluate(async () => {
      const r = await navigator.serviceWorker.getRegistration();
      const c = navigator.serviceWorker.controller !== null;
      return {
        controlled: c,
        active: r?.active?.state,
        waiting: r?.waiting?.state,
        installing: r?.installing?.state,
      };
    })
    .catch((e: unknown) => String(e));
  const html = await page.content().catch((e: unknown) => String(e));
  writeFileSync(`${stem}.txt`, `${JSON.stringify(sw)}\n${html.slice(0, 4000)}\n`);
  return stem;
}

/** Reloads the console and opens its keys (it then takes the hub's current directory). */
export async function reopenConsole(page: Page, passphrase: string): Promise<void> {
  await reloadAndType(page, passphrase);
  await page.getByRole('button', { name: 'Открыть ключи' }).click();
  await page.locator('[data-hub="up"]').waitFor({ timeout: 90_000 });
}
