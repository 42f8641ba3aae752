import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WireVisitView } from '../../runtime/http/api/wire-types.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';

const SHOTS = 'artifacts/screenshots';
/** Polls wait for events (a live value, a debounce), not for a fixed sleep. */
const WAIT = { timeout: 15_000, interval: 50 };

/** A frame of Chromium's fake camera as a JPEG: the photo the feldsher takes. */
async function fakeCameraJpeg(page: Page): Promise<Buffer> {
  const base64 = await page.evaluate(async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const video = document.createElement('video');
    video.muted = true;
    video.srcObject = stream;
    await video.play();
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    stream.getTracks().forEach((t) => t.stop());
    const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/jpeg', 0.8));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s);
  });
  return Buffer.from(base64, 'base64');
}

async function visitView(kit: TabletKit, id: string): Promise<WireVisitView> {
  const res = await kit.fetch(`${kit.url}api/visits/${id}`);
  return (await res.json()) as WireVisitView;
}

/**
 * The house call, end to end, in real Chromium at 1280x800 against a real kit (real store, the
 * kit's real HTTPS with its own CA trusted by the tablet, simulated instruments): pairing with
 * the code from the kit's screen, patient, visit, a live SpO2 kept with one tap, a respiration
 * rate and NEWS2, a photo and a voice note from Chromium's fake devices, an urgent consultation
 * request; then the kit goes away: the app and the visit reload from the tablet, a note is
 * written offline, and when the kit is back the note arrives once.
 */
describe('the house call on a tablet', () => {
  let kit: TabletKit;
  let tablets: Awaited<ReturnType<typeof launchTablets>>;

  beforeAll(async () => {
    kit = await startTabletKit({ oximeterRateHz: 2, bpIntervalMs: 4000 });
    tablets = await launchTablets({ trustCaPem: [kit.caPem] });
  });
  afterAll(async () => {
    await tablets?.close();
    await kit?.dispose();
  });

  it('records a visit, sends an urgent request, and keeps working with the kit away', async () => {
    const { page } = await tablets.tablet();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Without a token the kit refuses the app's requests: the pairing screen opens.
    await page.goto(kit.url);
    expect(await page.getAttribute('html', 'lang')).toBe('ru');
    await page.waitForSelector('[data-testid="pairing-screen"]', WAIT);
    expect(new URL(page.url()).pathname).toBe('/pair');
    // The kit answered (it refused): the bar says the tablet is not paired, not that the kit is away.
    await expect
      .poll(() => page.getAttribute('[data-testid="link-status"]', 'data-state'), WAIT)
      .toBe('unpaired');
    expect(await page.textContent('[data-testid="link-status"]')).toContain('не подключён к комплекту');
    // A wrong code is refused, and nothing is paired.
    await page.fill('[data-testid="pair-code"]', '0000 0000');
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="pair-failed"]', WAIT);
    // The pairing QR's URL carries the code in its fragment: the form is pre-filled.
    const code = await kit.pairingCode('feldsher');
    await page.goto(`${kit.url}pair#code=${code}`);
    expect(await page.inputValue('[data-testid="pair-code"]')).toBe(code);
    await page.screenshot({ path: `${SHOTS}/tablet-pairing.png` });
    await page.click('[data-testid="pair-submit"]');
    await page.waitForSelector('[data-testid="patient-search"]', WAIT);
    expect(new URL(page.url()).pathname).toBe('/');
    await expect
      .poll(() => page.getAttribute('[data-testid="link-status"]', 'data-state'), WAIT)
      .toBe('online');
    // The service worker installs and precaches the app on the first visit, and the app says so.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForSelector('[data-testid="offline-ready"]', WAIT);

    // A new patient on the spot.
    await page.click('[data-testid="new-patient"]');
    await page.fill('input[name="familyName"]', 'Смирнова');
    await page.fill('input[name="givenName"]', 'Анна');
    await page.fill('input[name="middleName"]', 'Петровна');
    await page.fill('input[name="birthDate"]', '1948-03-02');
    await page.fill('input[name="snils"]', '112-233-445 95');
    await page.fill('input[name="oms"]', '7700 0000 0000 0001');
    await page.fill('input[name="address"]', 'д. Берёзовка, ул. Лесная, д. 4');
    await page.fill('input[name="phone"]', '+7 900 000-00-00');
    await page.click('text=женский');
    await page.click('[data-testid="save-patient"]');
    await page.waitForSelector('[data-testid="open-visit"]');
    expect(await page.textContent('[data-testid="patient-name"]')).toBe('Смирнова Анна Петровна');

    // Found again by СНИЛС and by name prefix (among namesakes from the day's list).
    for (const [i, [familyName, givenName, middleName, birthDate]] of [
      ['Смирнов', 'Иван', 'Кузьмич', '1939-11-20'],
      ['Смирнова', 'Ольга', 'Викторовна', '1961-07-14'],
      ['Смирновская', 'Валентина', 'Егоровна', '1952-01-05'],
    ].entries())
      await kit.fetch(`${kit.url}api/patients`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          clientId: `seed-patient-${i}`,
          familyName,
          givenName,
          middleName,
          birthDate,
        }),
      });
    await page.click('.brand');
    await page.fill('[data-testid="patient-search"]', '112-233-445 95');
    await page.waitForSelector('.patient-row >> text=Смирнова Анна Петровна');
    expect(await page.locator('.patient-row').count()).toBe(1);
    await page.fill('[data-testid="patient-search"]', 'смирн');
    await expect.poll(() => page.locator('.patient-row').count(), WAIT).toBe(4);
    await page.screenshot({ path: `${SHOTS}/patient-list.png` });
    await page.click('.patient-row >> text=Смирнова Анна Петровна');

    // Open the visit; a live SpO2 arrives and is kept with one tap.
    await page.click('[data-testid="open-visit"]');
    await page.waitForSelector('[data-testid="visit-screen"]');
    const visitId = (await page.getAttribute('[data-testid="visit-screen"]', 'data-visit-id'))!;
    const spo2 = page.locator('[data-testid="live-2708-6"]');
    await spo2.waitFor();
    const firstId = await spo2.getAttribute('data-observation-id');
    await expect.poll(() => spo2.getAttribute('data-observation-id'), { timeout: 5000 }).not.toBe(firstId);
    const keptId = (await spo2.getAttribute('data-observation-id'))!;
    await page.click('[data-testid="keep-2708-6"]');
    await page.waitForSelector('.journal [data-kind="keep"][data-place="kit"]');
    expect((await visitView(kit, visitId)).entries.map((e) => e.observation?.id)).toContain(keptId);

    // Respiration rate 24 and new confusion: NEWS2 shows each score and proposes urgent.
    await page.fill('[data-testid="manual-rr"]', '24');
    await page.press('[data-testid="manual-rr"]', 'Enter');
    await page.click('[data-testid="acvpu-C"]');
    await expect
      .poll(() => page.getAttribute('[data-testid="news2-respirationRate"]', 'data-score'))
      .toBe('2');
    await expect
      .poll(() => page.getAttribute('[data-testid="news2-consciousness"]', 'data-score'), WAIT)
      .toBe('3');
    expect(await page.textContent('[data-testid="news2-respirationRate"]')).toMatch(/2\s*↑\s*значительно/);
    await page.waitForSelector('.urgent-note');
    await page.click('[data-testid="keep-85354-9"]');
    await page.waitForSelector('.journal [data-kind="manual"][data-place="kit"]');
    await page.fill('[data-testid="complaints"]', 'Одышка при ходьбе, слабость третий день');
    await page.click('.texts form:first-child button[type="submit"]');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${SHOTS}/visit-live-news2.png` });

    // A photo (a frame of the fake camera) and a voice note (the fake microphone).
    const jpeg = await fakeCameraJpeg(page);
    await page.setInputFiles('[data-testid="photo-input"]', {
      name: 'wound.jpg',
      mimeType: 'image/jpeg',
      buffer: jpeg,
    });
    await page.click('[data-testid="voice-start"]');
    await page.waitForSelector('[data-testid="voice-stop"]');
    await page.waitForTimeout(1200);
    await page.click('[data-testid="voice-stop"]');
    await page.waitForSelector('.journal [data-kind="attachment"][data-place="kit"] img.thumb');
    await page.waitForSelector('.journal [data-kind="attachment"][data-place="kit"] audio');
    const media = (await visitView(kit, visitId)).entries.flatMap((e) =>
      e.attachment ? [e.attachment] : [],
    );
    expect(media.map((a) => a.kind).sort()).toEqual(['photo', 'voice']);
    expect(media.find((a) => a.kind === 'photo')!.size).toBe(jpeg.byteLength);
    expect(media.find((a) => a.kind === 'voice')!.mediaType).toMatch(/^audio\/(webm|mp4)/);

    // An urgent consultation request: urgent is proposed by NEWS2.
    await page.click('[data-testid="open-consult"]');
    await page.waitForSelector('[data-testid="consult-composer"]');
    expect(await page.isChecked('[data-testid="urgency-urgent"] input')).toBe(true);
    await page.fill('[data-testid="consult-question"]', 'NEWS2 5, новая спутанность. Госпитализировать?');
    await page.selectOption('[data-testid="consult-specialty"]', 'therapy');
    await page.click('[data-testid="consult-send"]');
    await page.waitForSelector('.journal [data-kind="consultation"][data-place="kit"]');
    await expect
      .poll(() => page.getAttribute('[data-testid="outbox-summary"]', 'data-on-kit'), WAIT)
      .toBe('1');
    expect(await page.textContent('[data-testid="outbox-summary"]')).toContain('1 запрос ждёт канала связи');
    const outbox = (await (await kit.fetch(`${kit.url}api/outbox`)).json()) as {
      items: { priority: string }[];
    };
    expect(outbox.items.map((i) => i.priority)).toEqual(['urgent']);
    await page.click('[data-testid="outbox-summary"]');
    await page.waitForSelector('[data-testid="persisted"]');
    const row = page.locator('[data-testid="kit-outbox-item"][data-state="stored"]');
    expect(await row.textContent()).toContain('сохранено на комплекте, ждёт канала связи');
    await page.screenshot({ path: `${SHOTS}/outbox.png` });
    await page.goBack();
    await page.waitForSelector('[data-testid="visit-screen"]');

    // The kit goes away: reload, and the app and the visit are still there.
    await kit.stop();
    await page.reload();
    await page.waitForSelector('[data-testid="visit-screen"]');
    expect(await page.textContent('h1')).toContain('Смирнова Анна Петровна');
    await page.waitForSelector('.journal [data-kind="consultation"]');
    await expect
      .poll(() => page.getAttribute('[data-testid="link-status"]', 'data-state'), WAIT)
      .toBe('offline');

    // A note written offline waits on the tablet, and says so.
    const note = 'Соседка навещает ежедневно; ключ у неё';
    await page.fill('[data-testid="note"]', note);
    await page.click('[data-testid="add-note"]');
    await page.waitForSelector('.journal [data-kind="note"][data-place="tablet"]');
    expect(await page.getAttribute('[data-testid="outbox-summary"]', 'data-on-tablet')).toBe('1');
    await page.screenshot({ path: `${SHOTS}/visit-offline.png` });

    // The kit is back: the note arrives, once.
    await kit.start();
    await page.waitForSelector('.journal [data-kind="note"][data-place="kit"]', { timeout: 20_000 });
    await expect
      .poll(() => page.getAttribute('[data-testid="outbox-summary"]', 'data-on-tablet'), WAIT)
      .toBe('0');
    const notes = (await visitView(kit, visitId)).entries.filter((e) => e.kind === 'note');
    expect(notes.map((n) => n.text)).toEqual([note]);
    // Written by the tablet paired in the browser, under the name it gave itself.
    expect(notes[0]!.author).toMatch(/Планшет/);
    // Auth used no cookie, and the token never appeared in a URL.
    expect(await page.context().cookies()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
