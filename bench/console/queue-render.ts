import type { Page } from 'playwright-core';
import { encodeWire } from '../../crypto/wire-cbor.ts';
import type { ConsultationBody } from '../../runtime/link/items.ts';
import type { ConsoleWorld } from '../../test/console/linked-console.ts';

/** What {@link queueRender} measured, ms (CPU figures in ms of CPU per minute of idle queue). */
export interface QueueFigures {
  /** «← К очереди» clicked in a case to the queue painted, one sample per round. */
  readonly render: number[];
  /** «Взять» clicked on a row to the row painted «взята мной» (hub round trip included). */
  readonly claim: number[];
  /** The peer: the same number of rows as one plain HTML table (innerHTML), to its painted frame. */
  readonly plainTable: number[];
  /** The console page's main-thread task time while the queue sits idle (polling), per minute. */
  readonly idleConsoleCpuMsPerMin: number;
  /** This process's CPU (the hub; the kit's link is idle) over the same minute. */
  readonly idleHubCpuMsPerMin: number;
  /** Time for the console to list all consultations once the kit had them at the hub. */
  readonly fillMs: number;
}

const QUESTIONS = [
  'Давящая боль за грудиной 40 минут, на ЭКГ подъём ST? Тактика?',
  'Одышка при нагрузке две недели. Нужна ли госпитализация?',
  'Сердцебиение, ЧСС 140, АД 100/60. Что вводить до приезда?',
];

/*
 * Scripts run in the page as text (the bench's TypeScript is compiled with helpers the page does
 * not have). `painted(ready, t0)`: waits for `ready()`, then for the frame that paints it; ms
 * since `t0`. Each script takes one argument and resolves with its ms.
 */
const PAINTED = `const painted = (ready, t0) => new Promise((resolve) => {
  const check = () => {
    if (!ready()) return requestAnimationFrame(check);
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0), 0));
  };
  check();
});`;
/** «Взять» on the row of item `arg` to the row painted «взята мной». */
const CLAIM = `(id) => { ${PAINTED}
  const tr = document.querySelector('table.queue tr[data-item="' + id + '"]');
  const button = [...tr.querySelectorAll('button')].find((b) => b.textContent === 'Взять');
  const t = performance.now();
  button.click();
  return painted(() => !!document.querySelector('table.queue tr[data-item="' + id + '"] td.holder')
    ?.textContent?.includes('взята мной'), t);
}`;
/** «← К очереди» to the queue of `arg` consultations painted. */
const BACK = `(n) => { ${PAINTED}
  const back = [...document.querySelectorAll('button')].find((b) => b.textContent.includes('К очереди'));
  const t = performance.now();
  back.click();
  return painted(() => {
    const stated = document.querySelector('[data-queue-count]')?.getAttribute('data-queue-count');
    return stated
      ? Number(stated) >= n && !!document.querySelector('table.queue tbody tr')
      : document.querySelectorAll('table.queue tbody tr').length >= n;
  }, t);
}`;
/** The peer: `arg` rows with the queue's columns as one plain HTML table, to its painted frame. */
const PLAIN = `(n) => { ${PAINTED}
  const t = performance.now();
  const host = document.createElement('div');
  let rows = '';
  for (let k = 0; k < n; k++)
    rows += '<tr><td>' + (k % 5 ? 'плановая' : 'срочная') + '</td><td>Ж, ' + (20 + (k % 70)) +
      ' лет</td><td>Одышка при нагрузке две недели. Нужна ли госпитализация?</td><td>' + k +
      ' мин</td><td>12:00<div>осталось ' + k + ' мин</div></td><td>новая</td><td><button>Взять</button><button>Открыть</button></td></tr>';
  host.innerHTML = '<table class="queue plain-peer"><tbody>' + rows + '</tbody></table>';
  document.body.append(host);
  return painted(() => true, t).then((ms) => { host.remove(); return ms; });
}`;

async function timed(page: Page, script: string, arg: string | number): Promise<number> {
  return page.evaluate<number>(`(${script})(${JSON.stringify(arg)})`);
}

/** The queue's size as the screen states it (or, without that, its rows). */
async function listed(page: Page): Promise<number> {
  return page.evaluate(() => {
    const stated = document.querySelector('[data-queue-count]')?.getAttribute('data-queue-count');
    return stated ? Number(stated) : document.querySelectorAll('table.queue tbody tr').length;
  });
}

/**
 * The queue with `count` open consultations: the kit sends them (urgent and routine, real
 * envelopes through the real hub), the console lists them, then `rounds` times a case is opened
 * and the bench times the way back to the queue, and a claim; beside it the plain-table peer;
 * then a minute of idle queue for the CPU polling costs.
 */
export async function queueRender(
  world: ConsoleWorld,
  count: number,
  rounds: number,
  idleMs: number,
): Promise<QueueFigures> {
  const { kit, watched, page } = world;
  const sent = [];
  for (let i = 0; i < count; i++) {
    const urgency = i % 5 === 0 ? 'urgent' : 'routine';
    const body: ConsultationBody = {
      urgency,
      question: QUESTIONS[i % QUESTIONS.length]!,
      patient: { age: 20 + (i % 70), sex: i % 2 ? 'f' : 'm' },
      records: [],
      attachments: [],
    };
    sent.push(
      await kit.send({
        kind: 'consultation',
        to: 'spec-ivanova',
        urgent: urgency === 'urgent',
        body: encodeWire(body),
        media: 'application/cbor',
        records: [],
      }),
    );
  }
  for (const s of sent) await watched.untilState(s.itemId, 'at_hub', 10 * 60_000);
  const t0 = Date.now();
  for (;;) {
    if ((await listed(page)) >= count) break;
    if (Date.now() - t0 > 15 * 60_000)
      throw new Error(`the console listed ${await listed(page)} of ${count}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const fillMs = Date.now() - t0;
  // Let the arrival's receipts and refreshes settle before timing renders.
  await page.waitForTimeout(3000);

  const render: number[] = [];
  const claim: number[] = [];
  const plainTable: number[] = [];
  for (let i = 0; i < rounds; i++) {
    // A row nobody holds yet, not the first one.
    const row = page
      .locator('table.queue tbody tr')
      .filter({ has: page.getByRole('button', { name: 'Взять' }) })
      .nth(1);
    await row.getByRole('button', { name: 'Взять' }).waitFor({ timeout: 30_000 });
    const itemId = await row.getAttribute('data-item');
    claim.push(await timed(page, CLAIM, itemId!));
    await page
      .locator(`table.queue tr[data-item="${itemId}"]`)
      .getByRole('button', { name: 'Открыть' })
      .click();
    await page.locator('section.case').waitFor();
    await page.waitForTimeout(300);
    render.push(await timed(page, BACK, count));
    plainTable.push(await timed(page, PLAIN, count));
    await page.waitForTimeout(200);
  }

  // The queue left alone: what its polling costs the browser and the hub.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const task = async () =>
    ((await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0) *
    1000;
  const task0 = await task();
  const cpu0 = process.cpuUsage();
  await page.waitForTimeout(idleMs);
  const cpu1 = process.cpuUsage(cpu0);
  const task1 = await task();
  await cdp.detach();
  const perMin = 60_000 / idleMs;
  return {
    render,
    claim,
    plainTable,
    idleConsoleCpuMsPerMin: (task1 - task0) * perMin,
    idleHubCpuMsPerMin: ((cpu1.user + cpu1.system) / 1000) * perMin,
    fillMs,
  };
}
