import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { WAIT, visitWorld } from './live-world.ts';

const SHOTS = 'artifacts/screenshots';

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
    const { con, tab } = await visitWorld(cleanups, { tag: 'voice' });
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
    await con.getByText('Голосовое сообщение принято хабом').waitFor(WAIT);

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
