import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import { enrolmentCode, groupedCode, orgCheck } from '../../crypto/enrol-check.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore } from '../helpers/link-world.ts';
import { echoErrors, startConsoleHub } from './console-world.ts';

const SHOTS = 'artifacts/screenshots';
const PASS = 'кардиолог-2026';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

// The console's two trust anchors, against real parts: the hub's own root CA (made by the hub in
// its encrypted store) installed in Chromium's NSS database as a specialist would install it, no
// certificate-error bypass; and the organisation key, whose check the one-time code carries, so
// a hub serving a substituted organisation key is refused at enrolment (and at the first
// directory, when the hub served none at enrolment) instead of being trusted on first use.
describe("the console's trust in the hub and the organisation (Chromium)", () => {
  it('loads over the hub CA and registers its service worker; refuses a substituted organisation key; enrols on the real one', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const impostor = await testOrg();
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    const people = (devices: DirectoryIdentity['devices']): DirectoryIdentity[] => [
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices },
    ];
    // The hub serves a directory signed by another organisation key than the organisation's.
    let served: Uint8Array | undefined = await testDirectory(impostor, people([]));
    const { hub, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    const url = `https://localhost:${hub.port}/`;

    // Without the hub's root, Chromium refuses the hub (the trust below is the root's, nothing else).
    const untrusting = await launchTablets();
    cleanups.push(untrusting.close);
    const bare = await untrusting.tablet();
    await expect(bare.page.goto(url)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    await untrusting.close();

    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { page } = await browsers.tablet();
    echoErrors(page, 'console');
    await page.goto(url);
    expect(
      await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.ready;
        const worker = reg.active!;
        if (worker.state !== 'activated')
          await new Promise((done) => worker.addEventListener('statechange', done, { once: true }));
        return { scope: reg.scope, active: worker.state };
      }),
    ).toEqual({ scope: url, active: 'activated' });

    // The administrator issues the code with the organisation's own key (fieldkit hub enroll-code --org-key).
    const issued = await hub.codes.issue('spec-ivanova', 'specialist', undefined, org.publicKey);
    expect(issued.code).toBe(await enrolmentCode(issued.secret, org.publicKey));
    const fill = async (code: string) => {
      await page.getByLabel('Одноразовый код').fill(code);
      await page.getByLabel('Название устройства').fill('Ноутбук Ивановой');
      await page.getByLabel('Пароль к ключам').fill(PASS);
      await page.getByLabel('Пароль ещё раз').fill(PASS);
      await page.getByRole('button', { name: 'Зарегистрировать устройство' }).click();
    };
    await fill(issued.code);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 90_000 });
    const refused = await alert.innerText();
    expect(refused).toContain('Регистрация отклонена');
    expect(refused).toContain(groupedCode(await orgCheck(impostor.publicKey)));
    expect(refused).toContain(groupedCode(await orgCheck(org.publicKey)));
    await page.screenshot({ path: `${SHOTS}/console-enrol-org-refused.png`, fullPage: true });
    // Nothing was kept: after a reload the console asks for a code again.
    await page.reload();
    await page.getByLabel('Одноразовый код').waitFor({ timeout: 30_000 });

    // A code without the check (the hub's secret alone) is refused before anything is sent.
    const bareSecret = await hub.codes.issue('spec-ivanova', 'specialist', undefined, org.publicKey);
    await fill(groupedCode(bareSecret.secret));
    await page
      .getByRole('alert')
      .filter({ hasText: 'нет проверки ключа организации' })
      .waitFor({ timeout: 30_000 });
    expect(await hub.codes.consume(bareSecret.secret, 'probe')).toBeDefined();

    // The hub serves the organisation's directory: the same kind of code now enrols the device.
    served = await testDirectory(org, people([]), 2);
    const good = await hub.codes.issue('spec-ivanova', 'specialist', undefined, org.publicKey);
    await fill(good.code);
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });
    await page.locator('[data-hub="up"]').waitFor({ timeout: 90_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
  }, 300_000);

  it('refuses the first directory when the hub served none at enrolment and then serves a substituted key', async () => {
    const org = await testOrg();
    const impostor = await testOrg();
    const hubS = await testStore('hub-empty');
    cleanups.push(hubS.cleanup);
    let served: Uint8Array | undefined = undefined;
    const { hub, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { page } = await browsers.tablet();
    echoErrors(page, 'console');
    const { code } = await hub.codes.issue('spec-ivanova', 'specialist', undefined, org.publicKey);
    // The enrolment link fills the code in (the fragment never reaches the hub).
    await page.goto(`https://localhost:${hub.port}/#code=${code}`);
    expect(await page.getByLabel('Одноразовый код').inputValue()).toBe(code);
    await page.getByLabel('Название устройства').fill('Планшет Ивановой');
    await page.getByLabel('Пароль к ключам').fill(PASS);
    await page.getByLabel('Пароль ещё раз').fill(PASS);
    await page.getByRole('button', { name: 'Зарегистрировать устройство' }).click();
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 90_000 });

    served = await testDirectory(impostor, [
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices: [] },
    ]);
    // The console takes the hub's directory when it connects: open it again.
    await page.reload();
    await page.getByLabel('Пароль к ключам').fill(PASS);
    await page.getByRole('button', { name: 'Открыть ключи' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Каталог отклонён' });
    await alert.waitFor({ timeout: 90_000 });
    expect(await alert.innerText()).toContain(groupedCode(await orgCheck(impostor.publicKey)));
    await page.screenshot({ path: `${SHOTS}/console-directory-org-refused.png`, fullPage: true });
  }, 300_000);
});
