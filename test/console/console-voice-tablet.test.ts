import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import type { WirePatient, WireVisit } from '../../runtime/http/api/wire-types.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { testDirectory, testOrg, testStore } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, reopenConsole, startConsoleHub } from './console-world.ts';

const SHOTS = 'artifacts/screenshots';
const WAIT = { timeout: 60_000 };

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

// The whole loop of a voice reply in real parts: the kit (its HTTPS API, the tablet PWA, its link
// to the hub), the hub, the console in one Chromium context and the tablet in another (fake media
// devices: the console's microphone is a test tone). The feldsher asks on the tablet; the
// specialist records a voice reply in the console; the tablet shows it verified and can play it.
describe('a voice reply from the console on the tablet (Chromium)', () => {
  it('the tablet shows the voice reply as verified, with the recording playable', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    let served: Uint8Array | undefined;
    const { hub, tls, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);

    // The specialist's console enrols first (no directory yet: it pins the first one it gets).
    const { page: con } = await browsers.tablet();
    echoErrors(con, 'console');
    await con.goto(`https://localhost:${hub.port}/`);
    await enrolConsole(con, {
      code: (await hub.codes.issue('spec-ivanova', 'specialist')).code,
      label: 'Ноутбук Ивановой',
      passphrase: 'кардиолог-2026',
      identity: 'spec-ivanova',
    });
    const device = (await hub.enrolments.all()).find((d) => d.identity === 'spec-ivanova')!;

    // The kit, linked to this hub; the organisation's directory lists it and the console.
    const kit: TabletKit = await startTabletKit(
      { oximeterRateHz: 2, bpIntervalMs: 3_600_000 },
      {
        link: async (store) => {
          const id = store.publicIdentity;
          const identities: DirectoryIdentity[] = [
            { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: id.signing, box: id.sealing }] },
            {
              id: 'spec-ivanova',
              role: 'specialist',
              name: 'Иванова А. П., кардиолог',
              devices: [{ key: Buffer.from(device.device, 'hex'), box: Buffer.from(device.box!, 'hex') }],
            },
          ];
          served = await testDirectory(org, identities);
          await hub.enrolments.enroll({
            device: Buffer.from(id.signing).toString('hex'),
            identity: 'kit-01',
            role: 'kit',
          });
          return {
            store,
            orgKey: org.publicKey,
            hub: { url: hub.url, certPem: tls.cert },
            directory: served,
          };
        },
      },
    );
    cleanups.push(() => kit.dispose());
    await reopenConsole(con, 'кардиолог-2026');

    // The tablet (trusting the kit's CA, in its own browser context) asks for a consultation.
    const tabletBrowsers = await launchTablets({ trustCaPem: [kit.caPem] });
    cleanups.push(tabletBrowsers.close);
    const { page: tab } = await tabletBrowsers.tablet();
    echoErrors(tab, 'tablet');
    await tab.goto(`${kit.url}pair#code=${await kit.pairingCode('feldsher')}`);
    await tab.click('[data-testid="pair-submit"]');
    await tab.waitForSelector('[data-testid="patient-search"]', WAIT);
    const post = async <T>(path: string, body: unknown): Promise<T> =>
      (await (
        await kit.fetch(`${kit.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
      ).json()) as T;
    const patient = await post<WirePatient>('api/patients', {
      clientId: `voice-patient-${Date.now()}`,
      familyName: 'Кузнецов',
      givenName: 'Пётр',
      birthDate: '1951-09-12',
      sex: 'male',
    });
    const visit = await post<WireVisit>('api/visits', {
      clientId: `voice-visit-${Date.now()}`,
      patientId: patient.id,
    });
    await tab.goto(`${kit.url}visits/${visit.id}`);
    await tab.waitForSelector('[data-testid="visit-screen"]', WAIT);
    await tab.locator('[data-testid="live-2708-6"]').waitFor(WAIT);
    await tab.click('[data-testid="keep-2708-6"]');
    await tab.waitForSelector('.journal [data-kind="keep"][data-place="kit"]', WAIT);
    await tab.click('[data-testid="open-consult"]');
    await tab.waitForSelector('[data-testid="consult-composer"]', WAIT);
    await tab.fill('[data-testid="consult-question"]', 'Боль за грудиной 30 минут, SpO2 снижена. Тактика?');
    await tab.selectOption('[data-testid="consult-specialty"]', 'cardiology');
    await tab.click('[data-testid="urgency-urgent"]');
    await tab.click('[data-testid="consult-send"]');
    await tab.waitForSelector('.journal [data-kind="consultation"][data-place="kit"]', WAIT);

    // The specialist opens it and answers by voice.
    await con.locator('table.queue tbody tr').first().waitFor(WAIT);
    await con.getByRole('button', { name: 'Открыть' }).click();
    await con.getByRole('button', { name: 'Записать голосовое' }).click();
    await con.locator('.voice-recorder .recording').waitFor();
    await con.waitForTimeout(2500);
    await con.getByRole('button', { name: 'Остановить запись' }).click();
    await con.getByRole('button', { name: 'Отправить голосовое' }).click();
    await con.getByText('Голосовое сообщение отправлено').waitFor(WAIT);

    // The tablet shows it live, verified, with a recording that loads.
    const answer = tab.locator('[data-testid="answer-voice"]');
    await answer.waitFor(WAIT);
    expect(await answer.getAttribute('data-verified')).toBe('true');
    expect(await answer.textContent()).toMatch(/Голосовое сообщение.*Иванова/);
    const audio = answer.locator('[data-testid="answer-audio"]');
    expect(await audio.getAttribute('src')).toMatch(/^data:audio\/webm;codecs=opus;base64,GkXf/);
    await expect
      .poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 20_000 })
      .toBeGreaterThanOrEqual(1);
    await answer.scrollIntoViewIfNeeded();
    await tab.screenshot({ path: `${SHOTS}/tablet-answer-voice.png` });

    // A second, routine request in the same visit: the console shows the first as earlier.
    await tab.click('[data-testid="keep-2708-6"]');
    await tab.click('[data-testid="open-consult"]');
    await tab.waitForSelector('[data-testid="consult-composer"]', WAIT);
    await tab.fill('[data-testid="consult-question"]', 'Через час: боль прошла. Можно ли оставить дома?');
    await tab.selectOption('[data-testid="consult-specialty"]', 'cardiology');
    await tab.click('[data-testid="urgency-routine"]');
    await tab.click('[data-testid="consult-send"]');
    await con.getByRole('button', { name: '← К очереди' }).click();
    const routineRow = con.locator('table.queue tr[data-urgency="routine"]');
    await routineRow.waitFor(WAIT);
    await routineRow.getByRole('button', { name: 'Открыть' }).click();
    const earlier = con.locator('.earlier li');
    await earlier.first().waitFor(WAIT);
    expect(await earlier.count()).toBe(1);
    expect(await earlier.first().innerText()).toContain('Боль за грудиной 30 минут');
    await con.screenshot({ path: `${SHOTS}/console-case-earlier.png`, fullPage: true });
    await earlier.first().getByRole('button', { name: 'Открыть' }).click();
    await expect.poll(() => con.locator('.question-text').innerText()).toContain('Боль за грудиной 30 минут');
    expect(await con.locator('.earlier').count()).toBe(0);
    expect(await con.getByText('Других консультаций по этому визиту не было').count()).toBe(1);
  }, 400_000);
});
