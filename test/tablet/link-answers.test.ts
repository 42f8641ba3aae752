import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireOutboxItem } from '../../runtime/http/api/wire-types.ts';
import { createLogger } from '../../runtime/log.ts';
import { startSimLink, type SimLink } from '../../runtime/sim-link.ts';
import { tempDir } from '../../store/testing.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { consultFromTablet, visitWithPatient as newVisit } from './consult-from-tablet.ts';

const SHOTS = 'artifacts/screenshots';
const WAIT = { timeout: 30_000, interval: 100 };

/** Tablet viewports the header must hold without wrapping: landscape, 1024 wide, portrait. */
const VIEWPORTS = [
  ['1280', { width: 1280, height: 800 }],
  ['1024', { width: 1024, height: 768 }],
  ['portrait', { width: 800, height: 1280 }],
] as const;

/**
 * Consultations from the tablet to the specialist and back, in real Chromium over the kit's real
 * HTTPS: the kit runs its link to a local hub (real TLS, real sealed envelopes) and the simulated
 * specialist (a real client of the protocol) as `npm start` does. An urgent request with a kept
 * SpO2 goes out from the composer; the outbox shows the link's per-item states; the specialist's
 * message and signed conclusion come back live (a badge in the header), the conclusion shown
 * verified with its diagnosis and ICD-10 code. A second request's conclusion is tampered by the
 * specialist's side (a record hash that does not match what the kit sent): shown "подпись не
 * проверена" with the reason in Russian. The header is shot at three tablet sizes.
 */
describe('the link answers on a tablet', () => {
  let kit: TabletKit;
  let sim: SimLink | undefined;
  let tablets: Awaited<ReturnType<typeof launchTablets>>;
  const simDir = tempDir('fieldkit-sim-link-');
  // The specialist's coin: the first conclusion is honest, the second carries a wrong hash.
  const coins = [0.9, 0.1];

  beforeAll(async () => {
    kit = await startTabletKit(
      { oximeterRateHz: 2, bpIntervalMs: 3_600_000 },
      {
        link: async (store) => {
          sim = await startSimLink({
            kitStore: store,
            dir: join(simDir.dir, 'sim'),
            log: createLogger('silent'),
            readAfterMs: 1500,
            answerAfterMs: 4000,
            badConclusionRate: 0.5,
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
      tag: 'link',
      familyName: 'Кузнецов',
      givenName: 'Пётр',
      middleName: 'Ильич',
      birthDate: '1951-09-12',
      sex: 'male',
    });
  const consult = (page: Page, visitId: string, question: string, urgent: boolean) =>
    consultFromTablet(page, kit, visitId, question, urgent);

  it('an urgent request comes back answered and verified; a tampered conclusion shows unverified with its reason', async () => {
    const { page } = await tablets.tablet();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const code = await kit.pairingCode('feldsher');
    await page.goto(`${kit.url}pair#code=${code}`);
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="patient-search"]', WAIT);

    const first = await visitWithPatient();
    await consult(page, first, 'Давящая боль за грудиной 30 минут, SpO2 снижена. Госпитализировать?', true);

    // The outbox: the request on the link with the link's own states, the link's state line.
    await page.click('[data-testid="outbox-summary"]');
    await page.waitForSelector('[data-testid="outbox-screen"]', WAIT);
    const row = page.locator('[data-testid="kit-outbox-item"][data-kind="consultation-request"]');
    await row.first().waitFor(WAIT);
    expect(await page.getAttribute('[data-testid="hub-state"]', 'data-hub')).toBe('up');
    expect(await row.first().textContent()).toContain('кому: Иванова А. П., кардиолог (симуляция)');
    // Answers arrive while the feldsher is elsewhere: the header says so.
    await page.waitForSelector('[data-testid="answers-badge"]', WAIT);
    await expect.poll(() => row.first().getAttribute('data-state'), WAIT).toBe('answered');
    expect(await row.first().textContent()).toContain('получен ответ');
    for (const [name, size] of VIEWPORTS) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${SHOTS}/link-outbox-${name}.png` });
      // The header holds its rows: nothing pushed past the right edge.
      const overflow = await page.evaluate(() => {
        const bar = document.querySelector('header.bar')!;
        return [...bar.querySelectorAll('*')].some(
          (el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1,
        );
      });
      expect([name, overflow]).toEqual([name, false]);
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: `${SHOTS}/answers-badge.png` });

    // The badge opens the visit: the message and the verified conclusion with its parts.
    await page.click('[data-testid="answers-badge"]');
    await page.waitForSelector('[data-testid="visit-screen"]', WAIT);
    expect(await page.locator('[data-testid="answers-badge"]').count()).toBe(0);
    const answered = page.locator('[data-testid="consultation"]').first();
    await expect.poll(() => answered.getAttribute('data-state'), WAIT).toBe('answered');
    const conclusion = answered.locator('[data-testid="answer-conclusion"]');
    await conclusion.waitFor(WAIT);
    expect(await conclusion.getAttribute('data-verified')).toBe('true');
    expect(await answered.locator('[data-testid="consultation-state"]').getAttribute('data-unverified')).toBe(
      'no',
    );
    expect(await conclusion.locator('[data-testid="signature"]').textContent()).toContain(
      'подпись проверена',
    );
    expect(await conclusion.locator('[data-testid="diagnosis"]').textContent()).toContain('R07.4');
    expect(await conclusion.textContent()).toContain('Направление');
    expect(await answered.locator('[data-testid="answer-message"]').textContent()).toContain(
      'Срочную консультацию получила',
    );
    await page.locator('[data-testid="answers"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/visit-answers-verified.png` });

    // The second request's conclusion refers to a reading by a hash the kit never sent.
    const second = await visitWithPatient();
    await consult(page, second, 'Контроль после приступа, жалоб нет.', false);
    const tampered = page.locator('[data-testid="answer-conclusion"]');
    await tampered.waitFor(WAIT);
    expect(await tampered.getAttribute('data-verified')).toBe('false');
    const sig = (await tampered.locator('[data-testid="signature"]').textContent())!;
    expect(sig).toContain('подпись не проверена: показания в заключении отличаются от отправленных');
    expect(sig).not.toContain('проверена ·');
    // The request's own line says so too, not just «получен ответ» in green.
    const state = page.locator('[data-testid="consultation-state"]');
    await expect.poll(() => state.getAttribute('data-unverified'), WAIT).toBe('yes');
    expect(await state.textContent()).toContain('⚠ подпись ответа не проверена');
    await page.locator('[data-testid="answers"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/visit-answers-unverified.png` });

    // The kit's API says the same: both requests delivered and answered, once each.
    const outbox = (await (await kit.fetch(`${kit.url}api/outbox`)).json()) as { items: WireOutboxItem[] };
    const requests = outbox.items.filter((i) => i.kind === 'consultation-request');
    expect(requests.map((i) => i.delivery.state)).toEqual(['answered', 'answered']);
    // Nothing of the tablets' requests is left on the store's outbox: the link holds them.
    expect((await kit.store.peekOutbox(100)).filter((i) => i.kind === 'consultation-request')).toEqual([]);

    // The direct path to the specialist's console beside the hub's line: the simulated
    // specialist answers WebRTC offers as a console does. The screen is opened once: it reads the
    // status on opening and the kit's live link-status events keep it current.
    await page.goto(`${kit.url}outbox`);
    await page.waitForSelector('[data-testid="outbox-screen"]', WAIT);
    await page.locator('[data-testid="hub-state"]').waitFor(WAIT);
    await page.locator('[data-testid="direct-state"][data-direct="up"]').waitFor({ timeout: 60_000 });
    expect(await page.textContent('[data-testid="direct-state"]')).toContain(
      'напрямую: Иванова А. П., кардиолог (симуляция) — связь есть',
    );
    for (const [name, size] of VIEWPORTS) {
      await page.setViewportSize(size);
      await page.screenshot({ path: `${SHOTS}/link-outbox-direct-${name}.png` });
    }
    // The hub and the specialist go away while the screen stays open: both lines say so at once,
    // with no reload (the status came live).
    await page.setViewportSize(VIEWPORTS[0][1]);
    await sim!.stop();
    sim = undefined;
    await page.locator('[data-testid="hub-state"]:not([data-hub="up"])').waitFor(WAIT);
    await page.locator('[data-testid="direct-state"]:not([data-direct="up"])').waitFor(WAIT);
    await page.screenshot({ path: `${SHOTS}/link-outbox-hub-gone.png` });
    expect(errors).toEqual([]);
  }, 240_000);
});
