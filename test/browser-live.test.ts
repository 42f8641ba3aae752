import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { TEST_KDF } from '../store/testing.ts';
import { parseKitConfig } from '../runtime/config.ts';
import { startKit, type KitHandle } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import { launchChromium } from './helpers/chromium.ts';
import { tempStores } from '../store/test-fixtures.ts';

const temp = tempStores({ scope: 'file' });

/** The tablet page in real Chromium against a real kit on simulated instruments (default rates). */
describe('tablet page in Chromium', () => {
  let kit: KitHandle;
  let teardown: () => Promise<void>;

  beforeAll(async () => {
    const dir = temp.dir();
    const store = await openStore({ path: dir, passphrase: 'browser-test-passphrase', kdf: TEST_KDF });
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      sim: {},
      utcOffsetMinutes: 0,
      logLevel: 'silent',
    });
    kit = await startKit(config, store, createLogger('silent'), 'test');
    teardown = async () => {
      await kit.stop();
      await store.close();
    };
  });
  afterAll(async () => teardown());

  it('shows saved SpO2 readings updating at least once a second, in Russian', async () => {
    const { browser, close } = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(kit.url);
      await expect
        .poll(() => page.textContent('[data-testid="link-status"]'), { timeout: 10_000 })
        .toBe('на связи с комплектом');
      const card = page.locator('[data-testid="reading-2708-6"]');
      await card.waitFor({ timeout: 10_000 });
      expect(await card.textContent()).toContain('сохранено');
      // Sample the card's record id over 5 s: it must change in every 1-second window.
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) {
        ids.push((await card.getAttribute('data-id')) ?? '');
        await page.waitForTimeout(500);
      }
      for (let i = 0; i + 2 < ids.length; i += 2) expect(ids[i + 2]).not.toBe(ids[i]);
      // Instruments are named by their transport id: a BLE address behind the simulated BlueZ.
      const plx = kit.instruments.list().find((s) => s.profile === 'pulse-oximeter')!.id;
      await expect
        .poll(() => page.locator(`[data-testid="instrument-${plx}"]`).getAttribute('data-state'))
        .toBe('connected');
    } finally {
      await close();
    }
  });
});
