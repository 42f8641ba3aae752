import { webcrypto } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { HubHandle } from '../../runtime/hub/hub.ts';
import { startHub } from '../../runtime/hub/hub.ts';
import type { HubTls } from '../../runtime/hub/tls.ts';
import { certificatePem, issueLeaf, issueRoot, privateKeyPem } from '../../runtime/http/tls/issue.ts';
import { certFingerprint } from '../../runtime/link/carriers/hub-socket/hub-protocol.ts';
import { createLogger } from '../../runtime/log.ts';
import type { RecordStore } from '../../store/index.ts';

/**
 * A real hub whose certificate comes from a test CA the browser is told to trust (as an
 * operator's own certificate would be), serving the built console and `directory()`.
 */
export async function startConsoleHub(
  store: RecordStore,
  directory: () => Uint8Array | undefined,
): Promise<{ hub: HubHandle; tls: HubTls; rootPem: string }> {
  const now = new Date();
  const root = await issueRoot('hub-test', now);
  const leaf = await issueLeaf(root, { dns: ['localhost'], ips: ['127.0.0.1'] }, now);
  const rootPem = certificatePem(new Uint8Array(root.cert.rawData));
  const leafPem = certificatePem(new Uint8Array(leaf.cert.rawData));
  const tls: HubTls = {
    key: privateKeyPem(new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', leaf.keys.privateKey))),
    cert: `${leafPem}${rootPem}`,
    fingerprint: certFingerprint(leafPem),
  };
  const hub = await startHub({ store, tls, port: 0, log: createLogger('silent'), directory });
  return { hub, tls, rootPem };
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

/** Reloads the console and opens its keys (it then takes the hub's current directory). */
export async function reopenConsole(page: Page, passphrase: string): Promise<void> {
  await page.reload();
  await page.getByLabel('Пароль к ключам').fill(passphrase);
  await page.getByRole('button', { name: 'Открыть ключи' }).click();
  await page.locator('[data-hub="up"]').waitFor({ timeout: 90_000 });
}
