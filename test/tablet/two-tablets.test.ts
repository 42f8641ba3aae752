import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WirePatient, WireVisit } from '../../runtime/http/api/wire-types.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';

const WAIT = { timeout: 15_000, interval: 50 };

async function post<T>(kit: TabletKit, path: string, body: unknown): Promise<T> {
  const res = await kit.fetch(`${kit.url}api/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * Records (in the page) when the journal first holds `count` kept readings stored on the kit,
 * so the latency is measured on one clock.
 */
async function watchJournal(page: Page, count: number): Promise<void> {
  await page.evaluate((n) => {
    const w = window as unknown as { seenAt?: number };
    delete w.seenAt;
    const seen = () => document.querySelectorAll('.journal [data-kind="keep"][data-place="kit"]').length >= n;
    new MutationObserver((_, obs) => {
      if (seen()) {
        w.seenAt = Date.now();
        obs.disconnect();
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, count);
}

/**
 * Two tablets (two browser contexts: separate storage, as two devices) on one visit: what one
 * keeps, the other sees within a second, both ways, over the live channel.
 */
describe('two tablets on one visit', () => {
  let kit: TabletKit;
  let tablets: Awaited<ReturnType<typeof launchTablets>>;
  beforeAll(async () => {
    kit = await startTabletKit({ oximeterRateHz: 2, bpIntervalMs: 3000 });
    tablets = await launchTablets({ trustCaPem: [kit.caPem] });
  });
  afterAll(async () => {
    await tablets?.close();
    await kit?.dispose();
  });

  it("sees each other's kept readings within a second", async () => {
    const patient = await post<WirePatient>(kit, 'patients', {
      clientId: 'two-tablets-patient',
      familyName: 'Кузнецов',
      givenName: 'Пётр',
    });
    const visit = await post<WireVisit>(kit, 'visits', {
      clientId: 'two-tablets-visit',
      patientId: patient.id,
    });
    const a = (await tablets.tablet()).page;
    const b = (await tablets.tablet()).page;
    for (const page of [a, b]) {
      // Each tablet pairs with its own code (over the kit's HTTPS), then opens the visit.
      await page.goto(`${kit.url}pair#code=${await kit.pairingCode('feldsher')}`);
      await page.click('[data-testid="pair-submit"]');
      await page.waitForSelector('[data-testid="patient-search"]', WAIT);
      await page.goto(`${kit.url}visits/${visit.id}`);
      await page.waitForSelector('[data-testid="live-2708-6"]', WAIT);
      await page.waitForSelector('[data-testid="live-85354-9"]', WAIT);
    }

    await watchJournal(b, 1);
    const clickedAt = await a.evaluate(() => {
      (document.querySelector('[data-testid="keep-2708-6"]') as HTMLButtonElement).click();
      return Date.now();
    });
    await expect
      .poll(() => b.evaluate(() => (window as unknown as { seenAt?: number }).seenAt ?? 0), WAIT)
      .toBeGreaterThan(0);
    const aToB = (await b.evaluate(() => (window as unknown as { seenAt: number }).seenAt)) - clickedAt;

    await watchJournal(a, 2);
    const clickedOnB = await b.evaluate(() => {
      (document.querySelector('[data-testid="keep-85354-9"]') as HTMLButtonElement).click();
      return Date.now();
    });
    await expect
      .poll(() => a.evaluate(() => (window as unknown as { seenAt?: number }).seenAt ?? 0), WAIT)
      .toBeGreaterThan(0);
    const bToA = (await a.evaluate(() => (window as unknown as { seenAt: number }).seenAt)) - clickedOnB;

    expect(aToB).toBeLessThan(1000);
    expect(bToA).toBeLessThan(1000);
    // Both show both readings, each once.
    for (const page of [a, b])
      await expect.poll(() => page.locator('.journal [data-place="kit"]').count(), WAIT).toBe(2);
    console.log(`kept reading seen on the other tablet after ${aToB} ms (A to B) and ${bToA} ms (B to A)`);
  });
});
