import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { HubLink } from '../../runtime/link/hub-link.ts';
import type { ConsultationBody } from '../../runtime/link/items.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore, watch } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, reopenConsole, startConsoleHub } from './console-world.ts';

const SHOTS = 'artifacts/screenshots';
const MIN = 60_000;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const rowText = (page: Page, urgency: string) => page.locator(`table.queue tr[data-urgency="${urgency}"]`);

// Coordination against real parts: the hub (HTTPS, LMDB, its coordination routes), the kit's link
// endpoint sending two consultations to the team «Кардиологи», and three consoles in Debian's
// Chromium (separate browser contexts, keys made in each): Иванова and Петров of the team, and a
// coordinator the hub enrolled with the coordinator role.
describe('claims in the console (Chromium)', () => {
  it('one specialist takes a case, the other sees it taken by her, the coordinator sees what is overdue and reassigns', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const kitS = await testStore('kit');
    cleanups.push(kitS.cleanup);
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    const kitId = kitS.store.publicIdentity;
    const people = (devices: Record<string, DirectoryIdentity['devices']>): DirectoryIdentity[] => [
      { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: kitId.signing, box: kitId.sealing }] },
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices: devices.iv ?? [] },
      { id: 'spec-petrov', role: 'specialist', name: 'Петров И. С., кардиолог', devices: devices.pe ?? [] },
      {
        id: 'cardio',
        role: 'team',
        name: 'Кардиологи',
        devices: [],
        members: ['spec-ivanova', 'spec-petrov'],
      },
    ];
    let served = await testDirectory(org, people({}));
    const { hub, tls, rootPem } = await startConsoleHub(hubS.store, () => served);
    cleanups.push(() => hub.stop());
    await hub.enrolments.enroll({
      device: Buffer.from(kitId.signing).toString('hex'),
      identity: 'kit-01',
      role: 'kit',
    });

    const browsers = await launchTablets({ trustCaPem: [rootPem] });
    cleanups.push(browsers.close);
    const url = `https://localhost:${hub.port}/?deadlines=urgent=30m,routine=24h`;
    const open = async (who: string) => {
      const { page } = await browsers.tablet();
      echoErrors(page, who);
      await page.goto(url);
      return page;
    };
    const iv = await open('ivanova');
    const pe = await open('petrov');
    const co = await open('coordinator');
    const code = async (identity: string, role: 'specialist' | 'coordinator') =>
      (await hub.codes.issue(identity, role)).code;
    await enrolConsole(iv, {
      code: await code('spec-ivanova', 'specialist'),
      label: 'Ноутбук Ивановой',
      passphrase: 'кардиолог-иванова',
      identity: 'spec-ivanova',
    });
    await enrolConsole(pe, {
      code: await code('spec-petrov', 'specialist'),
      label: 'Ноутбук Петрова',
      passphrase: 'кардиолог-петров',
      identity: 'spec-petrov',
    });
    await enrolConsole(co, {
      code: await code('coord-smirnova', 'coordinator'),
      label: 'Диспетчерская',
      passphrase: 'координатор-2026',
      identity: 'coord-smirnova',
    });
    // The organisation lists the specialists' new devices; the coordinator needs no directory
    // entry (it reads no consultation, only what the hub knows of them).
    const all = await hub.enrolments.all();
    const deviceOf = (identity: string) => {
      const e = all.find((d) => d.identity === identity)!;
      return [{ key: Buffer.from(e.device, 'hex'), box: Buffer.from(e.box!, 'hex') }];
    };
    served = await testDirectory(
      org,
      people({ iv: deviceOf('spec-ivanova'), pe: deviceOf('spec-petrov') }),
      2,
    );
    await reopenConsole(iv, 'кардиолог-иванова');
    await reopenConsole(pe, 'кардиолог-петров');
    await co.locator('.coordination').waitFor({ timeout: 30_000 });

    // The kit sends a routine and an urgent consultation to the team.
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
      new HubSocketCarrier({ url: hub.url, certPem: tls.cert, signer: storeIdentity(kitS.store).signer }),
      { maxBackoffMs: 300 },
    );
    kitLink.start();
    cleanups.push(async () => {
      await kitLink.stop();
      await kit.stop();
    });
    const send = async (urgency: 'urgent' | 'routine', question: string) => {
      const body: ConsultationBody = {
        urgency,
        question,
        patient: { age: urgency === 'urgent' ? 67 : 42, sex: urgency === 'urgent' ? 'f' : 'm' },
        records: [],
        attachments: [],
      };
      const sent = await kit.send({
        kind: 'consultation',
        to: 'cardio',
        urgent: urgency === 'urgent',
        body: encodeWire(body),
        media: 'application/cbor',
        records: [],
      });
      await watched.untilState(sent.itemId, 'at_hub', 60_000);
      return sent;
    };
    await send('routine', 'Одышка при нагрузке две недели. Нужна ли госпитализация?');
    const urgent = await send('urgent', 'Давящая боль за грудиной 40 минут. Тактика?');
    // An urgent message rides at priority 1 like an urgent request: the hub takes it for a
    // consultation until a console that opened it dismisses it.
    const note = await kit.send({
      kind: 'message',
      to: 'cardio',
      body: encodeWire({ text: 'Пациентка приняла аспирин.' }),
      media: 'application/cbor',
    });
    await watched.untilState(note.itemId, 'at_hub', 60_000);

    // Both specialists get both (sealed for each), urgent first; nobody holds them yet.
    for (const page of [iv, pe]) {
      await page.locator('table.queue tbody tr').nth(1).waitFor({ timeout: 60_000 });
      expect(
        await page
          .locator('table.queue tbody tr')
          .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-urgency'))),
      ).toEqual(['urgent', 'routine']);
    }
    await expect
      .poll(() => rowText(pe, 'urgent').locator('td.holder').innerText(), { timeout: 15_000 })
      .toBe('новая');

    // Иванова takes the urgent one: the kit learns it is being read.
    await rowText(iv, 'urgent').getByRole('button', { name: 'Взять' }).click();
    await rowText(iv, 'urgent').locator('td.holder', { hasText: 'взята мной' }).waitFor({ timeout: 15_000 });
    await watched.untilState(urgent.itemId, 'read', 60_000);

    // Петров sees it taken by her (within the console's refresh), with no «Взять».
    await rowText(pe, 'urgent')
      .locator('td.holder', { hasText: 'взята: Иванова А. П.' })
      .waitFor({ timeout: 20_000 });
    expect(await rowText(pe, 'urgent').getByRole('button', { name: 'Взять' }).count()).toBe(0);
    expect(await rowText(pe, 'routine').getByRole('button', { name: 'Взять' }).count()).toBe(1);
    await pe.screenshot({ path: `${SHOTS}/console-queue-taken.png`, fullPage: true });
    // Opened anyway, it is read-only for him: no conclusion form, who holds it instead.
    await rowText(pe, 'urgent').getByRole('button', { name: 'Открыть' }).click();
    await pe.locator('.held-by-other', { hasText: 'Иванова А. П.' }).waitFor({ timeout: 15_000 });
    expect(await pe.getByRole('button', { name: 'Подписать и отправить' }).count()).toBe(0);
    // Nor can he write to it: no message form or voice recorder, and the reason instead.
    expect(await pe.locator('[data-reply="blocked"]').innerText()).toContain(
      'Ответить нельзя: консультацию ведёт Иванова А. П.',
    );
    expect(await pe.locator('textarea[name="message"]').count()).toBe(0);
    expect(await pe.getByRole('button', { name: 'Записать голосовое' }).count()).toBe(0);
    await pe.screenshot({ path: `${SHOTS}/console-reply-blocked.png`, fullPage: true });
    await pe.getByRole('button', { name: '← К очереди' }).click();

    // Иванова has her case open, ready to write.
    await rowText(iv, 'urgent').getByRole('button', { name: 'Открыть' }).click();
    await iv.locator('textarea[name="message"]').waitFor({ timeout: 15_000 });

    // The coordinator sees both open ones, who holds which, and (40 minutes on) what is overdue.
    const coRows = co.locator('table.coord tbody tr');
    await coRows.nth(1).waitFor({ timeout: 20_000 });
    await co
      .locator('tr[data-urgency="urgent"] td.holder', { hasText: 'Иванова А. П.' })
      .waitFor({ timeout: 20_000 });
    await expect
      .poll(() => co.locator('.coord-summary').innerText(), { timeout: 20_000 })
      .toBe('Открыто: 2 · просрочено: 0 · не взято: 1');
    expect(await co.locator('tr[data-urgency="routine"] td.holder').innerText()).toBe('не взята');
    await co.clock.setFixedTime(Date.now() + 40 * MIN);
    await co.locator('tr[data-overdue="yes"]').waitFor({ timeout: 20_000 });
    expect(await coRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-overdue')))).toEqual([
      'yes',
      'no',
    ]);
    expect(await co.locator('tr[data-urgency="urgent"] .late').innerText()).toMatch(
      /просрочено на (9|10|11) мин/,
    );
    expect(await co.locator('.coord-summary').innerText()).toBe('Открыто: 2 · просрочено: 1 · не взято: 1');
    // Reassign the urgent one to Петров (the only other specialist it was sealed for).
    const urgentRow = co.locator('tr[data-urgency="urgent"]');
    expect(await urgentRow.getByLabel('Передать').inputValue()).toBe('spec-petrov');
    await co.screenshot({ path: `${SHOTS}/console-coordinator.png`, fullPage: true });
    // Her console will not hear of the reassignment (its polls are cut off), so her form stays:
    // the hub itself must refuse what she writes.
    const caseList = /\/api\/cases(\?.*)?$/;
    await iv.route(caseList, (r) => r.abort());
    await urgentRow.getByRole('button', { name: 'Передать' }).click();
    await co
      .locator('tr[data-urgency="urgent"] td.holder', { hasText: 'Петров И. С.' })
      .waitFor({ timeout: 20_000 });
    await iv.locator('textarea[name="message"]').fill('Вводите гепарин 5000 ЕД.');
    await iv.getByRole('button', { name: 'Отправить сообщение' }).click();
    await iv
      .locator('[data-reply="blocked"]', { hasText: 'Хаб не принял ответ: консультацию ведёт Петров И. С.' })
      .waitFor({ timeout: 30_000 });
    await iv.screenshot({ path: `${SHOTS}/console-reply-refused.png`, fullPage: true });
    await iv.unroute(caseList);
    await iv.getByRole('button', { name: '← К очереди' }).click();

    // Петров now holds it (assigned), Иванова sees it taken by him.
    await rowText(pe, 'urgent').locator('td.holder', { hasText: 'взята мной' }).waitFor({ timeout: 20_000 });
    expect(await rowText(pe, 'urgent').locator('td.holder').innerText()).toContain(
      'назначил координатор coord-smirnova',
    );
    await rowText(iv, 'urgent')
      .locator('td.holder', { hasText: 'взята: Петров И. С.' })
      .waitFor({ timeout: 20_000 });
    await pe.screenshot({ path: `${SHOTS}/console-queue-assigned.png`, fullPage: true });

    // The refused message never reached the kit.
    expect(watched.received('message')).toEqual([]);

    // All of it audited in the hub's store.
    const audit = await hub.coordination.audit();
    expect(
      audit.filter((e) => e.action !== 'dismiss').map((e) => [e.action, e.actor, e.target ?? null]),
    ).toEqual([
      ['assign', 'coord-smirnova', 'spec-petrov'],
      ['claim', 'spec-ivanova', null],
    ]);
    // The message was dismissed once (by whichever console opened it first).
    expect(audit.filter((e) => e.action === 'dismiss').map((e) => e.actor)).toEqual([
      expect.stringMatching(/^spec-(ivanova|petrov)$/),
    ]);
  }, 400_000);
});
