import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { ConsultationBody } from '../../runtime/link/items.ts';
import type { LinkEvent } from '../../runtime/link/endpoint.ts';
import type { InboxEntry } from '../../runtime/link/link-inbox.ts';
import { consoleWorld } from './linked-console.ts';

const SHOTS = 'artifacts/screenshots';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

/** One second of a 440 Hz tone as 16-bit mono PCM WAV at 8 kHz: a real, playable voice note. */
function toneWav(seconds = 1, rate = 8000): Uint8Array {
  const n = seconds * rate;
  const out = Buffer.alloc(44 + n * 2);
  out.write('RIFF', 0);
  out.writeUInt32LE(36 + n * 2, 4);
  out.write('WAVEfmt ', 8);
  out.writeUInt32LE(16, 16);
  out.writeUInt16LE(1, 20);
  out.writeUInt16LE(1, 22);
  out.writeUInt32LE(rate, 24);
  out.writeUInt32LE(rate * 2, 28);
  out.writeUInt16LE(2, 32);
  out.writeUInt16LE(16, 34);
  out.write('data', 36);
  out.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++)
    out.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return new Uint8Array(out);
}

// The case's media and a voice reply, against real parts: the kit sends a photo and a voice note
// as their own items and the consultation naming them; the console in Chromium (fake media
// devices: a test tone as microphone) shows the photo, plays the note, records a reply with
// MediaRecorder and sends it signed and sealed; the kit receives it and verifies it.
describe('case media and voice replies in the console (Chromium)', () => {
  it('shows the photo and the voice note, and sends a recorded voice reply the kit verifies', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const world = await consoleWorld();
    cleanups.push(() => world.close());
    const { kit, watched, page } = world;
    // A real PNG: a piece of the console's own screen, as a camera photo stands in here.
    const photo = new Uint8Array(await page.screenshot({ clip: { x: 0, y: 0, width: 240, height: 160 } }));

    const sentPhoto = await kit.send({ kind: 'photo', to: 'spec-ivanova', body: photo, media: 'image/png' });
    const sentNote = await kit.send({
      kind: 'voice',
      to: 'spec-ivanova',
      body: toneWav(),
      media: 'audio/wav',
    });
    const body: ConsultationBody = {
      urgency: 'urgent',
      question: 'Рана предплечья, фото и голосовая заметка приложены. Нужна ли хирургическая обработка?',
      patient: { age: 35, sex: 'm' },
      records: [],
      attachments: [sentPhoto.itemId, sentNote.itemId],
    };
    const consult = await kit.send({
      kind: 'consultation',
      to: 'spec-ivanova',
      urgent: true,
      body: encodeWire(body),
      media: 'application/cbor',
      records: [],
    });
    await watched.untilState(sentPhoto.itemId, 'delivered', 60_000);
    await watched.untilState(sentNote.itemId, 'delivered', 60_000);

    // The case shows the photo decoded and the voice note playable (one second long).
    await page.locator('table.queue tbody tr').first().waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Открыть' }).click();
    const img = page.locator('.case-media img.photo');
    await img.waitFor({ timeout: 30_000 });
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(240);
    const note = page.locator('.case-media audio.voice-note');
    await expect
      .poll(() => note.evaluate((a: HTMLAudioElement) => (Number.isFinite(a.duration) ? a.duration : 0)))
      .toBeCloseTo(1, 1);
    expect(await page.locator('.case-media figure[data-verified="true"]').count()).toBe(2);

    // Record a reply from the (fake) microphone, listen back, send it.
    await page.getByRole('button', { name: 'Записать голосовое' }).click();
    await page.locator('.voice-recorder .recording').waitFor();
    await page.waitForTimeout(2500);
    await page.getByRole('button', { name: 'Остановить запись' }).click();
    await page.locator('audio.voice-preview').waitFor();
    expect(await page.locator('.voice-recorder').innerText()).toMatch(/Запись [23] с/);
    await page.screenshot({ path: `${SHOTS}/console-case-media.png`, fullPage: true });
    await page.getByRole('button', { name: 'Отправить голосовое' }).click();
    await page.getByText('Голосовое сообщение принято хабом').waitFor({ timeout: 30_000 });

    // The kit receives it as a voice item of that consultation, signed by the enrolled device.
    const isVoice = (e: LinkEvent): e is { type: 'received'; entry: InboxEntry } =>
      e.type === 'received' && e.entry.kind === 'voice';
    const got = await watched.until(isVoice, 60_000);
    expect(got.entry.verdict).toEqual({ verified: true, reasons: [] });
    expect(got.entry.from).toBe('spec-ivanova');
    expect(got.entry.ref).toBe(consult.itemId);
    expect(got.entry.media).toMatch(/^audio\/webm;\s*codecs=opus$/);
    // A WebM file (EBML magic) with a couple of seconds of Opus in it.
    expect(Buffer.from(got.entry.body.subarray(0, 4)).toString('hex')).toBe('1a45dfa3');
    expect(got.entry.body.byteLength).toBeGreaterThan(2000);
  }, 400_000);
});
