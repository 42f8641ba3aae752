import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { toBase64Url } from '../../crypto/bytes.ts';
import { openVault } from '../../pwa/console/app/keys/vault.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, reloadAndType, startConsoleHub } from './console-world.ts';
import { sealLegacyVault } from './legacy-vault.ts';

const SHOTS = 'artifacts/screenshots';
const PASS = 'кардиолог-2026';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** The console's stored key record, read straight from the page's IndexedDB. */
function readVault(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(
    () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const open = indexedDB.open('fieldkit-console');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const get = open.result.transaction('vault', 'readonly').objectStore('vault').get('device');
          get.onerror = () => reject(new Error(String(get.error)));
          get.onsuccess = () => {
            open.result.close();
            resolve(get.result as Record<string, unknown>);
          };
        };
      }),
  );
}

/** Writes the key record into the page's IndexedDB, as anyone able to write the profile could. */
function writeVault(page: Page, record: Record<string, unknown>): Promise<void> {
  return page.evaluate(
    (value) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('fieldkit-console');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const tx = open.result.transaction('vault', 'readwrite');
          tx.objectStore('vault').put(value, 'device');
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(new Error(String(tx.error)));
        };
      }),
    record,
  );
}

/** Reloads the console and types the passphrase (the outcome is for the caller to wait on). */
async function unlock(page: Page): Promise<void> {
  await reloadAndType(page, PASS);
  await page.getByRole('button', { name: 'Открыть ключи' }).click();
}

// The console's key vault against real parts: the hub (HTTPS, its own CA Chromium trusts) serving
// the built console and an organisation directory, the console in Chromium enrolled with a
// one-time code. The record is then changed in IndexedDB from the page, as malware or another
// user of the browser profile could, and the console must refuse it with the reason.
describe('the console key vault (Chromium, IndexedDB)', () => {
  it('binds the pinned organisation key: a changed one is refused, the genuine record opens, an old-format one migrates', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const forged = await testOrg();
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    const served = await testDirectory(org, [
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices: [] },
    ]);
    const { hub, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { page } = await browsers.tablet();
    echoErrors(page, 'console');
    await page.goto(`https://localhost:${hub.port}/`);
    await enrolConsole(page, {
      code: (await hub.codes.issue('spec-ivanova', 'specialist')).code,
      label: 'Ноутбук Ивановой',
      passphrase: PASS,
      identity: 'spec-ivanova',
    });

    // What enrolment stored: the new format, the organisation key pinned and signed.
    const genuine = await readVault(page);
    expect(genuine.v).toBe(3);
    expect(genuine.org).toBe(toBase64Url(org.publicKey));
    expect(typeof genuine.bind).toBe('string');

    // A normal unlock opens it.
    await unlock(page);
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });

    // The pinned organisation key swapped for another one: refused, with the reason, no keys.
    await writeVault(page, { ...genuine, org: toBase64Url(forged.publicKey) });
    await unlock(page);
    const refusal = page.locator('[data-vault="tampered"]');
    await refusal.waitFor({ timeout: 90_000 });
    expect(await refusal.getByRole('alert').innerText()).toContain(
      'закреплённый ключ организации или имя устройства не совпадают с подписью этого устройства',
    );
    expect(await page.locator('.who').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Открыть ключи' }).count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/console-vault-tampered.png` });
    // The refused record is left as it is (not re-signed, not trusted).
    expect((await readVault(page)).org).toBe(toBase64Url(forged.publicKey));

    // The enrolment code's check changed (the other field that decides trust): refused as well.
    await writeVault(page, { ...genuine, orgCheck: 'ABCDEFGHJKMNPQRS' });
    await unlock(page);
    await refusal.waitFor({ timeout: 90_000 });

    // The genuine record put back opens again (the refusals were the changes, not the page).
    await writeVault(page, genuine);
    await unlock(page);
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });

    // The genuine record passed off as the older format (no binding, whose migration trusts its
    // fields): its keys were sealed as format 3, so it is refused as changed, not migrated.
    const { bind: _bind, ...unbound } = genuine;
    void _bind;
    await writeVault(page, { ...unbound, v: 1, org: toBase64Url(forged.publicKey) });
    await unlock(page);
    await refusal.waitFor({ timeout: 90_000 });

    // A record an older console wrote (format 1, the same device keys): it opens, and is stored
    // sealed again as format 3 on that unlock.
    const { keys } = await openVault(genuine, PASS);
    const legacy = await sealLegacyVault(
      1,
      keys,
      PASS,
      { identity: String(genuine.identity), org: genuine.org as string, label: String(genuine.label) },
      { ops: Number(genuine.ops), memBytes: Number(genuine.memBytes) },
    );
    await writeVault(page, { ...legacy });
    await unlock(page);
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });
    const migrated = await readVault(page);
    expect(migrated.v).toBe(3);
    expect(typeof migrated.bind).toBe('string');
    expect(migrated.org).toBe(genuine.org);
    // ...and from then on it is checked: the migrated record with a swapped key is refused.
    await writeVault(page, { ...migrated, org: toBase64Url(forged.publicKey) });
    await unlock(page);
    await refusal.waitFor({ timeout: 90_000 });

    await page.screenshot({ path: `${SHOTS}/console-vault-tampered-way-on.png` });
    // The way on from the refusal: the record is removed (after a confirmation) and the console
    // asks for a new enrolment; a dismissed confirmation removes nothing.
    const forget = page.getByRole('button', {
      name: 'Удалить эту запись ключей и зарегистрировать устройство заново',
    });
    page.once('dialog', (d) => void d.dismiss());
    await forget.click();
    await page.waitForTimeout(500);
    expect(await refusal.count()).toBe(1);
    expect((await readVault(page)).org).toBe(toBase64Url(forged.publicKey));
    page.once('dialog', (d) => void d.accept());
    await forget.click();
    await page.getByLabel('Одноразовый код').waitFor({ timeout: 30_000 });
    expect(await readVault(page)).toBeUndefined();
    await page.screenshot({ path: `${SHOTS}/console-vault-forgotten.png` });
  }, 300_000);

  it('signs the organisation key again when it is pinned from the first directory, and refuses it swapped later', async () => {
    const org = await testOrg();
    const forged = await testOrg();
    const hubS = await testStore('hub-late');
    cleanups.push(hubS.cleanup);
    let served: Uint8Array | undefined = undefined;
    const { hub, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { page } = await browsers.tablet();
    echoErrors(page, 'console');
    // No directory at enrolment: the code carries the organisation key's check.
    const { code } = await hub.codes.issue('spec-ivanova', 'specialist', undefined, org.publicKey);
    await page.goto(`https://localhost:${hub.port}/`);
    await enrolConsole(page, { code, label: 'Планшет Ивановой', passphrase: PASS, identity: 'spec-ivanova' });
    const enrolled = await readVault(page);
    expect(enrolled.org).toBeNull();
    expect(typeof enrolled.orgCheck).toBe('string');

    // The first directory (the real organisation) pins its key; the record is signed again.
    served = await testDirectory(org, [
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices: [] },
    ]);
    await unlock(page);
    await page.locator('[data-hub="up"]').waitFor({ timeout: 90_000 });
    const pinnedKey = toBase64Url(org.publicKey);
    await expect.poll(async () => (await readVault(page)).org, { timeout: 30_000 }).toBe(pinnedKey);
    const pinned = await readVault(page);
    expect(pinned.bind).not.toBe(enrolled.bind);
    await unlock(page);
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });

    // Swapped back to "nothing pinned yet" (so a forged first directory would be pinned): refused.
    await writeVault(page, { ...pinned, org: null });
    await unlock(page);
    await page.locator('[data-vault="tampered"]').waitFor({ timeout: 90_000 });
    await writeVault(page, { ...pinned, org: toBase64Url(forged.publicKey) });
    await unlock(page);
    await page.locator('[data-vault="tampered"]').waitFor({ timeout: 90_000 });
  }, 300_000);
});
