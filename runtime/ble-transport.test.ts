import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../store/index.ts';
import { TEST_KDF, tempDir } from '../store/testing.ts';
import { openHardwareTransport } from './ble-transport.ts';
import { parseKitConfig } from './config.ts';
import { startKit } from './kit.ts';
import { createLogger } from './log.ts';
import { KitClient, pairTablet } from '../test/helpers/kit-client.ts';

function logged(): { log: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  return {
    log: createLogger('info', { write: (l: string) => void lines.push(l) }),
    text: () => lines.join(''),
  };
}

describe('fieldkit start --ble bluez|noble when the radio is not there', () => {
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  afterEach(() => {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
  });

  it('noble: reported unavailable with the reason, calls fail typed, nothing throws', async () => {
    const { log, text } = logged();
    const hw = await openHardwareTransport('noble', log);
    expect(hw.via).toMatch(/^noble, unavailable: /);
    await expect(hw.transport.scan({ timeoutMs: 10 })).rejects.toMatchObject({ code: 'unavailable' });
    expect(text()).toMatch(/noble unavailable/);
  });

  it('bluez without a system bus: the kit starts, serves, and says BlueZ is unavailable', async () => {
    process.env.DBUS_SYSTEM_BUS_ADDRESS = 'unix:path=/nonexistent/fieldkit/system_bus_socket';
    const { dir, cleanup } = tempDir();
    const store = await openStore({ path: dir, passphrase: 'ble transport test 42', kdf: TEST_KDF });
    const { log, text } = logged();
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      ble: 'bluez',
      sim: {},
      utcOffsetMinutes: 0,
    });
    const kit = await startKit(config, store, log, 'test');
    try {
      expect(kit.via).toMatch(/^BlueZ, unavailable: /);
      const client = new KitClient(kit.url, kit.caPem);
      const token = await pairTablet(client, store);
      expect((await client.request('/api/health', { token })).status).toBe(200);
      expect(kit.instruments.list()).toEqual([]);
      expect(text()).toMatch(/BlueZ unavailable/);
    } finally {
      await kit.stop();
      await store.close();
      cleanup();
    }
  });
});
