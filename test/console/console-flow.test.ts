import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import { HubLink } from '../../runtime/link/hub-link.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import type { ConsultationBody, SentRecord } from '../../runtime/link/items.ts';
import type { InboxEntry } from '../../runtime/link/link-inbox.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore, watch } from '../helpers/link-world.ts';
import { startHub } from '../../runtime/hub/hub.ts';
import { loadHubTls } from '../../runtime/hub/tls.ts';
import { createLogger } from '../../runtime/log.ts';

const SHOTS = 'artifacts/screenshots';
const MIN = 60_000;

/** A synthetic lead II: P, QRS and T waves at 75 beats a minute, in µV, at 250 Hz. */
function ecgStrip(seconds: number, rateHz = 250): number[] {
  const out: number[] = [];
  const beat = 0.8;
  const bump = (t: number, at: number, width: number, height: number) =>
    height * Math.exp(-((t - at) ** 2) / (2 * width ** 2));
  for (let i = 0; i < seconds * rateHz; i++) {
    const t = (i / rateHz) % beat;
    out.push(
      Math.round(
        bump(t, 0.16, 0.025, 120) +
          bump(t, 0.285, 0.008, -150) +
          bump(t, 0.3, 0.01, 1100) +
          bump(t, 0.315, 0.008, -250) +
          bump(t, 0.52, 0.045, 280),
      ),
    );
  }
  return out;
}

function observation(id: string, loinc: string, display: string, value: number, unit: string, precision = 0) {
  const at = new Date(Date.now() - 3 * MIN).toISOString();
  return {
    id,
    loinc,
    display,
    mdc: null,
    value,
    unit,
    precision,
    absentReason: null,
    components: [],
    status: 'final',
    effectiveAt: at,
    recordedAt: at,
    deviceId: 'sim-oximeter',
    deviceName: 'Пульсоксиметр',
    visitId: 'visit-1',
  };
}

function consultation(urgency: 'urgent' | 'routine', question: string, withEcg: boolean) {
  const records: SentRecord[] = [
    {
      id: `${urgency}-spo2`,
      kind: 'observation',
      cbor: encodeWire(observation(`${urgency}-spo2`, '59408-5', 'SpO₂', 91, '%')),
    },
    {
      id: `${urgency}-pulse`,
      kind: 'observation',
      cbor: encodeWire(observation(`${urgency}-pulse`, '8867-4', 'Пульс', 118, '/min')),
    },
    {
      id: `${urgency}-rr`,
      kind: 'observation',
      cbor: encodeWire(observation(`${urgency}-rr`, '9279-1', 'Частота дыхания', 24, '/min')),
    },
    {
      id: `${urgency}-temp`,
      kind: 'observation',
      cbor: encodeWire(observation(`${urgency}-temp`, '8310-5', 'Температура тела', 38.2, 'Cel', 1)),
    },
  ];
  if (withEcg)
    records.push({
      id: `${urgency}-ecg`,
      kind: 'ecg',
      cbor: encodeWire({ rateHz: 250, unit: 'uV', lead: 'II', samples: ecgStrip(10) }),
    });
  const body: ConsultationBody = {
    urgency,
    question,
    patient: { age: urgency === 'urgent' ? 67 : 42, sex: urgency === 'urgent' ? 'f' : 'm' },
    records,
    attachments: [],
  };
  return {
    kind: 'consultation' as const,
    to: 'spec-ivanova',
    urgent: urgency === 'urgent',
    body: encodeWire(body),
    media: 'application/cbor',
    records: records.map((r) => ({ id: r.id, sha256: createHash('sha256').update(r.cbor).digest('hex') })),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function rowsOf(
  page: Page,
): Promise<{ urgency: string | null; overdue: string | null; text: string }[]> {
  return page.$$eval('table.queue tbody tr', (trs) =>
    trs.map((tr) => ({
      urgency: tr.getAttribute('data-urgency'),
      overdue: tr.getAttribute('data-overdue'),
      text: (tr as HTMLElement).innerText,
    })),
  );
}

// The specialist's whole slice against real parts: the hub (HTTPS, enrolment, mailbox) serving
// the console, Debian's Chromium running it (keys made and sealed in the browser), and the kit's
// link endpoint with its own store that sends the consultations and verifies the conclusion.
describe('the specialist console in Chromium', () => {
  it('enrols, lists urgent before routine with deadlines, flags overdue, and signs a conclusion the kit verifies', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const kitS = await testStore('kit');
    cleanups.push(kitS.cleanup);
    const kitId = kitS.store.publicIdentity;
    const kitEntry = {
      id: 'kit-01',
      role: 'kit' as const,
      name: 'Бригада 1',
      devices: [{ key: kitId.signing, box: kitId.sealing }],
    };
    let served = await testDirectory(org, [
      kitEntry,
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices: [] },
    ]);
    // The hub is its own CA (root in its encrypted store); the browser trusts that root through
    // its NSS database and the kit pins it, as a specialist's machine and a kit would.
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    const tls = await loadHubTls(hubS.store);
    const rootPem = tls.cert;
    const hubHandle = await startHub({
      store: hubS.store,
      tls,
      port: 0,
      log: createLogger('silent'),
      directory: () => served,
    });
    cleanups.push(() => hubHandle.stop());
    const hub = { hub: hubHandle, tls };
    await hub.hub.enrolments.enroll({
      device: Buffer.from(kitId.signing).toString('hex'),
      identity: 'kit-01',
      role: 'kit',
    });
    const { code } = await hub.hub.codes.issue('spec-ivanova', 'specialist');

    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const { page } = await browsers.tablet();
    page.on('pageerror', (e) => process.stderr.write(`console page error: ${e.message}\n`));
    page.on('console', (m) => {
      if (m.type() === 'error') process.stderr.write(`console page: ${m.text()}\n`);
    });
    const url = `https://localhost:${hub.hub.port}/?deadlines=urgent=30m,routine=24h`;
    await page.goto(url);

    // Enrolment: the browser makes its keys and registers them with the one-time code.
    await page.getByLabel('Одноразовый код').fill(code);
    await page.getByLabel('Название устройства').fill('Ноутбук Ивановой');
    await page.getByLabel('Пароль к ключам').fill('кардиолог-2026');
    await page.getByLabel('Пароль ещё раз').fill('кардиолог-2026');
    await page.getByRole('button', { name: 'Зарегистрировать устройство' }).click();
    await page.locator('.who', { hasText: 'spec-ivanova' }).waitFor({ timeout: 60_000 });
    const devices = await hub.hub.enrolments.all();
    const consoleDevice = devices.find((d) => d.identity === 'spec-ivanova');
    expect(consoleDevice?.box).toMatch(/^[0-9a-f]{64}$/);
    expect(consoleDevice?.label).toBe('Ноутбук Ивановой');

    // The organisation lists the new device (what `fieldkit org sign` does with `hub list --json`).
    served = await testDirectory(
      org,
      [
        kitEntry,
        {
          id: 'spec-ivanova',
          role: 'specialist',
          name: 'Иванова А. П., кардиолог',
          devices: [
            { key: Buffer.from(consoleDevice!.device, 'hex'), box: Buffer.from(consoleDevice!.box!, 'hex') },
          ],
        },
      ],
      2,
    );
    // A later start opens the keys from IndexedDB with the passphrase and takes the new directory.
    await page.reload();
    await page.getByLabel('Пароль к ключам').fill('неверный пароль');
    await page.getByRole('button', { name: 'Открыть ключи' }).click();
    await page.getByText('Неверный пароль').waitFor({ timeout: 60_000 });
    await page.getByLabel('Пароль к ключам').fill('кардиолог-2026');
    await page.getByRole('button', { name: 'Открыть ключи' }).click();
    await page.locator('[data-hub="up"]').waitFor({ timeout: 60_000 });
    expect(await page.locator('.warning').count()).toBe(0);

    // The kit: its own store and link endpoint, connected to the same hub.
    const watched = watch();
    const kit = new LinkEndpoint({
      store: kitS.store,
      identity: storeIdentity(kitS.store),
      orgKey: org.publicKey,
      onEvent: watched.onEvent,
    });
    await kit.start(served);
    const kitLink = new HubLink(
      kit,
      new (await import('../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts')).HubSocketCarrier({
        url: hub.hub.url,
        certPem: hub.tls.cert,
        signer: storeIdentity(kitS.store).signer,
      }),
      { maxBackoffMs: 300 },
    );
    kitLink.start();
    cleanups.push(async () => {
      await kitLink.stop();
      await kit.stop();
    });
    const routine = await kit.send(
      consultation('routine', 'Одышка при нагрузке две недели. Нужна ли госпитализация?', false),
    );
    const urgent = await kit.send(
      consultation('urgent', 'Давящая боль за грудиной 40 минут, ЭКГ снята. Подъём ST? Тактика?', true),
    );
    await watched.untilState(routine.itemId, 'delivered', 60_000);
    await watched.untilState(urgent.itemId, 'delivered', 60_000);

    // 1. Both listed, urgent first though it came later, each with its deadline.
    await page.locator('table.queue tbody tr').nth(1).waitFor({ timeout: 30_000 });
    let rows = await rowsOf(page);
    expect(rows.map((r) => r.urgency)).toEqual(['urgent', 'routine']);
    expect(rows[0]!.text, rows[0]!.text).toMatch(/осталось (29|30) мин/);
    expect(rows[1]!.text, rows[1]!.text).toMatch(/осталось (23 ч|1 дн)/);
    expect(rows.map((r) => r.overdue)).toEqual(['no', 'no']);

    // 2. Forty minutes later (the browser's clock moved on), the urgent one is overdue.
    await page.clock.setFixedTime(Date.now() + 40 * MIN);
    await page.locator('tr[data-overdue="yes"]').waitFor({ timeout: 30_000 });
    rows = await rowsOf(page);
    expect(rows.map((r) => r.overdue)).toEqual(['yes', 'no']);
    expect(rows[0]!.text).toMatch(/просрочено на (9|10|11) мин/);
    await page.screenshot({ path: `${SHOTS}/console-queue.png`, fullPage: true });

    // 3. Claim and open the urgent case: vitals with NEWS2, the question, the ECG drawn.
    await page.locator('tr[data-urgency="urgent"]').getByRole('button', { name: 'Взять' }).click();
    await page.locator('tr[data-urgency="urgent"]', { hasText: 'взята мной' }).waitFor();
    await watched.untilState(urgent.itemId, 'read', 60_000);
    await page.locator('tr[data-urgency="urgent"]').getByRole('button', { name: 'Открыть' }).click();
    const canvas = page.locator('canvas.ecg-canvas');
    await canvas.waitFor();
    await expect.poll(() => canvas.getAttribute('data-drawn-samples')).toBe('2500');
    await expect.poll(() => page.locator('.news2').getAttribute('data-news2')).not.toBeNull();
    expect(await page.locator('.question-text').innerText()).toContain('Давящая боль за грудиной');
    await page.getByLabel('Циркуль').check();
    const box = (await canvas.boundingBox())!;
    const mm = Number(await canvas.getAttribute('data-px-per-mm'));
    // Two R peaks: 0.3 s and 1.1 s into the strip, 0.8 s apart = 75 beats a minute.
    await canvas.click({ position: { x: 0.3 * 25 * mm, y: box.height / 2 } });
    await canvas.click({ position: { x: 1.1 * 25 * mm, y: box.height / 2 } });
    expect(await page.locator('.caliper-reading').innerText()).toMatch(/^(79\d|80\d) мс · 7[4-6] уд\/мин/);
    await page.screenshot({ path: `${SHOTS}/console-case.png`, fullPage: true });

    // 4. The conclusion, signed in the browser, sealed to the kit.
    await page
      .getByLabel('Находки и заключение')
      .fill('Подъём ST во II, III, aVF до 2 мм. Острый нижний инфаркт миокарда.');
    await page.getByLabel('Диагноз').fill('Острый нижний инфаркт миокарда');
    await page.getByLabel('Код МКБ-10').fill('I21.1');
    await page
      .getByLabel('Рекомендации')
      .fill('Аспирин 250 мг разжевать, срочная транспортировка в ЧКВ-центр.');
    await page.getByLabel('Нужна очная консультация').check();
    await page.getByRole('button', { name: 'Подписать и отправить' }).click();
    await page.locator('[data-conclusion="at_hub"]').waitFor({ timeout: 60_000 });

    // The kit stores it, verified against its pinned directory and the records it sent.
    const isConclusion = (
      e: Parameters<typeof watched.onEvent>[0],
    ): e is { type: 'received'; entry: InboxEntry } => e.type === 'received' && e.entry.kind === 'conclusion';
    const got = await watched.until(isConclusion, 60_000);
    expect(got.entry.verdict).toEqual({ verified: true, reasons: [] });
    expect(got.entry.from).toBe('spec-ivanova');
    expect(got.entry.ref).toBe(urgent.itemId);
    await watched.untilState(urgent.itemId, 'answered', 30_000);
    // The console told the hub's coordination it is answered: only the routine one stays open.
    const coordinator = { identity: 'coord', device: '0'.repeat(64), role: 'coordinator' as const };
    await expect
      .poll(async () => (await hubHandle.coordination.open(coordinator)).map((c) => c.urgency), {
        timeout: 15_000,
      })
      .toEqual(['routine']);
    // The vitals carry their Russian names (the kit sends LOINC's English display).
    expect(await page.locator('.vitals-table').innerText()).toContain('Частота дыхания');
    // And it leaves the specialist's queue.
    await page.getByRole('button', { name: '← К очереди' }).click();
    await expect.poll(async () => (await rowsOf(page)).map((r) => r.urgency)).toEqual(['routine']);
  }, 300_000);
});
