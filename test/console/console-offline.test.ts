import { mkdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { DirectoryIdentity } from '../../crypto/directory.ts';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { HubHandle } from '../../runtime/hub/hub.ts';
import { startHub } from '../../runtime/hub/hub.ts';
import { HubSocketCarrier } from '../../runtime/link/carriers/hub-socket/hub-socket-carrier.ts';
import { storeIdentity } from '../../runtime/link/endpoint-identity.ts';
import { LinkEndpoint } from '../../runtime/link/endpoint.ts';
import { HubLink } from '../../runtime/link/hub-link.ts';
import type { InboxEntry } from '../../runtime/link/link-inbox.ts';
import type { ConsultationBody } from '../../runtime/link/items.ts';
import { createLogger } from '../../runtime/log.ts';
import { launchTablets } from '../helpers/tablets.ts';
import { testDirectory, testOrg, testStore, watch } from '../helpers/link-world.ts';
import { echoErrors, enrolConsole, reloadAndType, reopenConsole, startConsoleHub } from './console-world.ts';

const SHOTS = 'artifacts/screenshots';
const PASS = 'кардиолог-2026';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

// The console without its hub, against real parts: the hub (HTTPS with a test CA Chromium
// trusts, so the service worker may install), the kit's link endpoint, the console in Chromium.
// The hub is stopped; the console's page is reloaded (its shell from the service worker), the
// keys are opened, and the queue is the last known one, marked so. A message written meanwhile
// waits in the console and reaches the kit once the hub is back (on the same address and store).
describe('the console offline (Chromium, service worker)', () => {
  it('opens with the hub down, shows the last known queue marked stale, and sends nothing until the hub is back', async () => {
    mkdirSync(SHOTS, { recursive: true });
    const org = await testOrg();
    const kitS = await testStore('kit');
    cleanups.push(kitS.cleanup);
    const hubS = await testStore('hub');
    cleanups.push(hubS.cleanup);
    const kitId = kitS.store.publicIdentity;
    const people = (devices: DirectoryIdentity['devices']): DirectoryIdentity[] => [
      { id: 'kit-01', role: 'kit', name: 'Бригада 1', devices: [{ key: kitId.signing, box: kitId.sealing }] },
      { id: 'spec-ivanova', role: 'specialist', name: 'Иванова А. П., кардиолог', devices },
    ];
    let served = await testDirectory(org, people([]));
    const first = await startConsoleHub(hubS.store, () => served);
    let hub: HubHandle | undefined = first.hub;
    cleanups.push(async () => hub?.stop());
    await hub.enrolments.enroll({
      device: Buffer.from(kitId.signing).toString('hex'),
      identity: 'kit-01',
      role: 'kit',
    });
    const browsers = await launchTablets({ trustCaPem: [first.rootPem] });
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
    const device = (await hub.enrolments.all()).find((d) => d.identity === 'spec-ivanova')!;
    served = await testDirectory(
      org,
      people([{ key: Buffer.from(device.device, 'hex'), box: Buffer.from(device.box!, 'hex') }]),
      2,
    );
    await reopenConsole(page, PASS);

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
      new HubSocketCarrier({
        url: hub.url,
        certPem: first.tls.cert,
        signer: storeIdentity(kitS.store).signer,
      }),
      { maxBackoffMs: 300 },
    );
    kitLink.start();
    cleanups.push(async () => {
      await kitLink.stop();
      await kit.stop();
    });
    for (const urgency of ['routine', 'urgent'] as const) {
      const body: ConsultationBody = {
        urgency,
        question:
          urgency === 'urgent' ? 'Давящая боль за грудиной 40 минут. Тактика?' : 'Одышка при нагрузке.',
        patient: { age: urgency === 'urgent' ? 67 : 42, sex: urgency === 'urgent' ? 'f' : 'm' },
        records: [],
        attachments: [],
      };
      const sent = await kit.send({
        kind: 'consultation',
        to: 'spec-ivanova',
        urgent: urgency === 'urgent',
        body: encodeWire(body),
        media: 'application/cbor',
        records: [],
      });
      await watched.untilState(sent.itemId, 'delivered', 60_000);
    }
    const rows = page.locator('table.queue tbody tr');
    await rows.nth(1).waitFor({ timeout: 60_000 });
    const urgentRow = page.locator('table.queue tr[data-urgency="urgent"]');
    await urgentRow.getByRole('button', { name: 'Взять' }).click();
    await urgentRow.locator('td.holder', { hasText: 'взята мной' }).waitFor({ timeout: 20_000 });

    // The service worker is installed and, after a reload, controls the page.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
    await reopenConsole(page, PASS);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    // The hub goes away. The console's page still opens (from the worker), and its keys too.
    await hub.stop();
    hub = undefined;
    await reloadAndType(page, PASS);
    await page.getByRole('button', { name: 'Открыть ключи' }).click();
    await page.locator('[data-hub="down"]').waitFor({ timeout: 30_000 });
    await rows.nth(1).waitFor({ timeout: 30_000 });
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-urgency')))).toEqual([
      'urgent',
      'routine',
    ]);
    // The last known claims, and the list said to be the last known one.
    expect(await urgentRow.locator('td.holder').innerText()).toContain('взята мной');
    expect(await page.locator('[data-stale="yes"]').innerText()).toMatch(
      /^Нет связи с хабом: показан последний известный список \(на \d\d:\d\d\)\. Ответы уйдут, когда связь вернётся\.$/,
    );
    await page.screenshot({ path: `${SHOTS}/console-offline.png`, fullPage: true });

    // A message written offline waits in the console.
    await urgentRow.getByRole('button', { name: 'Открыть' }).click();
    await page.locator('textarea[name="message"]').fill('Аспирин 250 мг разжевать, нитроглицерин под язык.');
    await page.getByRole('button', { name: 'Отправить сообщение' }).click();
    // Said to be waiting, not sent: the hub is away.
    const replyState = page.locator('p.done[data-reply]');
    await replyState.waitFor({ timeout: 15_000 });
    expect(await replyState.getAttribute('data-reply')).toBe('queued');
    expect(await replyState.innerText()).toBe('Сообщение ждёт отправки на хаб');
    await page.screenshot({ path: `${SHOTS}/console-offline-message-queued.png` });
    const pending = await page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('fieldkit-console');
          open.onerror = () => reject(new Error('no database'));
          open.onsuccess = () => {
            const req = open.result.transaction('state').objectStore('state').getAllKeys();
            req.onsuccess = () => {
              resolve(req.result.filter((k) => typeof k === 'string' && k.startsWith('pending/')).length);
              open.result.close();
            };
          };
        }),
    );
    expect(pending).toBeGreaterThanOrEqual(1);
    const isMessage = (
      e: Parameters<typeof watched.onEvent>[0],
    ): e is { type: 'received'; entry: InboxEntry } => e.type === 'received' && e.entry.kind === 'message';
    expect(watched.events.filter(isMessage)).toEqual([]);

    // The hub is back (same address, same store): the console reconnects and the message goes.
    hub = await startHub({
      store: hubS.store,
      tls: first.tls,
      port: first.hub.port,
      log: createLogger('silent'),
      directory: () => served,
    });
    await page.locator('[data-hub="up"]').waitFor({ timeout: 60_000 });
    const got = await watched.until(isMessage, 60_000);
    await page.locator('p.done[data-reply="at_hub"]', { hasText: 'Сообщение принято хабом' }).waitFor({
      timeout: 30_000,
    });
    expect(got.entry.from).toBe('spec-ivanova');
    expect(got.entry.verdict).toEqual({ verified: true, reasons: [] });
    expect(new TextDecoder().decode(got.entry.body)).toContain('Аспирин 250 мг');
  }, 400_000);
});
