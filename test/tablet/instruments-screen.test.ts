import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceId } from '../../ble-devices/transport.ts';
import { NodeBleTransport } from '../../ble-devices/transports/node-ble/index.ts';
import { SimPeripheral } from '../../sim/gatt/sim-peripheral.ts';
import { startSimulatedBluez, type SimulatedBluez } from '../../sim/bluez/index.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { startTabletKit, type TabletKit } from '../helpers/tablet-kit.ts';
import { launchTablets } from '../helpers/tablets.ts';

const SHOTS = 'artifacts/screenshots';
const WAIT = { timeout: 20_000, interval: 50 };
/** The passkey the simulated cuff shows on its screen (fixed, so the tablet can type it). */
const PASSKEY = '246810';

async function pairTabletInBrowser(page: Page, kit: TabletKit): Promise<void> {
  const code = await kit.pairingCode('feldsher');
  await page.goto(`${kit.url}pair#code=${code}`);
  await page.click('[data-testid="pair-submit"]');
  await page.waitForSelector('[data-testid="patient-search"]', WAIT);
}

/**
 * The instrument screen in real Chromium over the kit's real HTTPS, with the kit on the real
 * node-ble transport and a simulated BlueZ on a private dbus-daemon: an Omron-like cuff that
 * pairs by passkey entry (BlueZ's RequestPasskey reaches the tablet as a live `pairing` event)
 * and serves measurements only over a bonded link, and a device no driver knows. Discover, a
 * wrong passkey refused, the right one typed on the tablet bonds and the kit remembers and reads
 * the cuff, counters shown, forget with confirmation removes it and its bond. Each state is shot.
 */
describe('the instrument screen on a tablet', () => {
  let sim: SimulatedBluez;
  let cuff: SimInstrument;
  let transport: NodeBleTransport;
  let kit: TabletKit;
  let tablets: Awaited<ReturnType<typeof launchTablets>>;

  beforeAll(async () => {
    cuff = createSimBpMonitor({ id: 'screen-bp', intervalMs: 1500, inflationSteps: 2, stepMs: 20 });
    cuff.start();
    const stranger = new SimPeripheral('screen-odd', 'Vendor Gadget', {
      fff0: { fff1: { properties: ['read'], value: Uint8Array.of(1) } },
    });
    sim = await startSimulatedBluez({
      devices: [
        {
          peripheral: cuff.peripheral,
          pairing: 'passkey-entry',
          passkey: Number(PASSKEY),
          encryptedServices: ['1810'],
        },
        { peripheral: stranger },
      ],
      connectMs: 5,
      resolveMs: 5,
    });
    transport = new NodeBleTransport({
      busAddress: sim.address,
      timeouts: { callMs: 3000, connectMs: 3000, resolveMs: 3000, pairMs: 20_000 },
    });
    // As with a real radio: nothing is remembered on sight, the tablet picks and pairs.
    kit = await startTabletKit(
      { enabled: false },
      { transport, config: { autoRemember: false, reconnectDelayMs: 100 } },
    );
    tablets = await launchTablets({ trustCaPem: [kit.caPem] });
  }, 120_000);
  afterAll(async () => {
    await tablets?.close();
    await kit?.dispose();
    cuff?.stop();
    await sim?.stop();
  });

  it('finds, pairs with the passkey typed on the tablet, shows counters, forgets with confirmation', async () => {
    const { page } = await tablets.tablet();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await pairTabletInBrowser(page, kit);
    const address = sim.bluez.device('screen-bp')!.address;
    const odd = sim.bluez.device('screen-odd')!.address;

    await page.click('[data-testid="open-instruments"]');
    await page.waitForSelector('[data-testid="instruments-screen"]', WAIT);
    await page.waitForSelector('[data-testid="nearby"]', WAIT);
    expect(await page.locator('[data-testid="instrument-card"]').count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/instruments-empty.png` });

    // "Найти приборы": the cuff (a known kind) and a device no driver knows (cannot be added).
    await page.click('[data-testid="find-instruments"]');
    const cuffRow = page.locator(`[data-testid="nearby-device"][data-id="${address}"]`);
    await cuffRow.waitFor(WAIT);
    const oddRow = page.locator(`[data-testid="nearby-device"][data-id="${odd}"]`);
    await oddRow.waitFor(WAIT);
    expect(await oddRow.textContent()).toContain('не поддерживается');
    expect(await oddRow.locator('[data-testid="add-instrument"]').isDisabled()).toBe(true);
    expect(await cuffRow.textContent()).toContain('тонометр');
    expect(await cuffRow.locator('button').textContent()).toBe('Сопрячь');
    await page.screenshot({ path: `${SHOTS}/instruments-nearby.png` });

    // A wrong passkey: BlueZ refuses, the tablet says so in Russian, nothing is remembered.
    await cuffRow.locator('[data-testid="add-instrument"]').click();
    await page.waitForSelector('[data-testid="passkey-input"]', WAIT);
    const box = await page.locator('[data-testid="passkey-input"]').boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(48);
    await page.fill('[data-testid="passkey-input"]', '111111');
    await page.screenshot({ path: `${SHOTS}/instruments-passkey.png` });
    await page.click('[data-testid="passkey-submit"]');
    await expect
      .poll(() => page.textContent('[data-testid="instruments-notice"]').catch(() => ''), WAIT)
      .toContain('Сопряжение не удалось');
    expect(kit.kit.instruments.list()).toEqual([]);
    await page.screenshot({ path: `${SHOTS}/instruments-pairing-failed.png` });

    // The right passkey: bonded, remembered by the kit, connected, measured.
    await cuffRow.locator('[data-testid="add-instrument"]').click();
    await page.waitForSelector('[data-testid="passkey-input"]', WAIT);
    await page.fill('[data-testid="passkey-input"]', PASSKEY);
    await page.click('[data-testid="passkey-submit"]');
    await expect
      .poll(() => page.textContent('[data-testid="instruments-notice"]').catch(() => ''), WAIT)
      .toContain('сопряжён и добавлен');
    const card = page.locator(`[data-testid="instrument-card"][data-id="${address}"]`);
    await card.waitFor(WAIT);
    await expect.poll(() => card.getAttribute('data-state'), WAIT).toBe('connected');
    await expect
      .poll(() => card.locator('[data-counter="readings"]').textContent(), WAIT)
      .toMatch(/^[1-9]\d* показани/);
    expect(await transport.pairing.isBonded(address as DeviceId)).toBe(true);
    expect((await kit.store.listInstruments()).map((i) => i.address)).toEqual([address]);
    expect(await card.textContent()).toContain('переподключени');
    expect(await card.textContent()).toContain('отсеян');
    expect(await card.textContent()).toContain('сопряжён');
    await page.screenshot({ path: `${SHOTS}/instruments-paired.png` });
    await page.setViewportSize({ width: 800, height: 1280 });
    await page.screenshot({ path: `${SHOTS}/instruments-paired-portrait.png` });
    await page.setViewportSize({ width: 1280, height: 800 });

    // Forget, behind a confirmation: the card goes, the kit forgets it and the bond.
    await card.locator('[data-testid="forget"]').click();
    await page.waitForSelector('[data-testid="forget-confirm"]', WAIT);
    await page.screenshot({ path: `${SHOTS}/instruments-forget-confirm.png` });
    await page.click('[data-testid="forget-yes"]');
    await expect
      .poll(() => page.textContent('[data-testid="instruments-notice"]').catch(() => ''), WAIT)
      .toContain('забыт');
    await expect.poll(() => card.count(), WAIT).toBe(0);
    expect(kit.kit.instruments.list()).toEqual([]);
    expect(await kit.store.listInstruments()).toEqual([]);
    expect(await transport.pairing.isBonded(address as DeviceId)).toBe(false);
    await page.screenshot({ path: `${SHOTS}/instruments-forgotten.png` });
    expect(errors).toEqual([]);
  }, 180_000);
});
