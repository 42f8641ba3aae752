import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/log.ts';
import { startSimLink, type SimLink } from '../../runtime/sim-link.ts';
import { tempDir } from '../../store/testing.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { consultFromTablet, visitWithPatient as newVisit } from './consult-from-tablet.ts';

const SHOTS = 'artifacts/screenshots';
const WAIT = { timeout: 30_000, interval: 100 };

/**
 * A reply bound to the wrong consultation, on a tablet in real Chromium over the kit's real
 * HTTPS, with the simulated specialist as `npm start` runs it: the first request's conclusion is
 * honest (its envelope's `re` names that request) and shows verified; the second one's `re`
 * names the first request while its signed `ref` names the second (the sim's forgedReRate fault).
 * The kit keeps it and the tablet shows it "подпись не проверена" with the reason in Russian.
 */
describe('a reply whose re names another consultation, on a tablet', () => {
  let kit: TabletKit;
  let sim: SimLink | undefined;
  let tablets: Awaited<ReturnType<typeof launchTablets>>;
  const simDir = tempDir('fieldkit-sim-link-');
  // Per conclusion the sim draws the hash-tamper coin, then the forged-re coin.
  const coins = [0.9, 0.9, 0.9, 0.1];

  beforeAll(async () => {
    kit = await startTabletKit(
      { oximeterRateHz: 2, bpIntervalMs: 3_600_000 },
      {
        link: async (store) => {
          sim = await startSimLink({
            kitStore: store,
            dir: join(simDir.dir, 'sim'),
            log: createLogger('silent'),
            readAfterMs: 300,
            answerAfterMs: 1000,
            forgedReRate: 0.5,
            random: () => coins.shift() ?? 0.9,
          });
          return { store, orgKey: sim.orgKey, hub: sim.hub, directory: sim.directory };
        },
      },
    );
    tablets = await launchTablets({ trustCaPem: [kit.caPem] });
  }, 120_000);
  afterAll(async () => {
    await tablets?.close();
    await kit?.dispose();
    await sim?.stop();
    simDir.cleanup();
  });

  const visitWithPatient = () =>
    newVisit(kit, {
      tag: 'forged',
      familyName: 'Смирнова',
      givenName: 'Анна',
      middleName: 'Павловна',
      birthDate: '1962-03-04',
      sex: 'female',
    });
  const consult = (page: Page, visitId: string, question: string) =>
    consultFromTablet(page, kit, visitId, question, true);

  it('the honest conclusion shows verified; the one bound to another request shows unverified with the reason', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const { page } = await tablets.tablet();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const code = await kit.pairingCode('feldsher');
    await page.goto(`${kit.url}pair#code=${code}`);
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="patient-search"]', WAIT);

    const first = await visitWithPatient();
    await consult(page, first, 'Одышка и отёки голеней. Нужна ли госпитализация?');
    const honest = page.locator('[data-testid="answer-conclusion"]');
    await honest.waitFor(WAIT);
    expect(await honest.getAttribute('data-verified')).toBe('true');

    const second = await visitWithPatient();
    await consult(page, second, 'Сердцебиение после нагрузки, ЭКГ без изменений. Тактика?');
    const forged = page.locator('[data-testid="answer-conclusion"]');
    await forged.waitFor(WAIT);
    expect(await forged.getAttribute('data-verified')).toBe('false');
    const sig = (await forged.locator('[data-testid="signature"]').textContent())!;
    expect(sig).toContain('подпись не проверена: ответ ссылается на два разных запроса');
    expect(sig).not.toContain('проверена ·');
    const state = page.locator('[data-testid="consultation-state"]');
    await expect.poll(() => state.getAttribute('data-unverified'), WAIT).toBe('yes');
    expect(await state.textContent()).toContain('⚠ подпись ответа не проверена');
    await page.locator('[data-testid="answers"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/visit-answers-forged-re.png` });
    expect(errors).toEqual([]);
  }, 240_000);
});
