import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODES } from '../ble-devices/observations/codes.ts';
import { main } from '../runtime/cli/main.ts';
import { parseKitConfig } from '../runtime/config.ts';
import type { WireInstrument, WireObservation } from '../runtime/http/wire.ts';
import { startKit } from '../runtime/kit.ts';
import { createLogger } from '../runtime/log.ts';
import { Cms50Sim } from '../sim/serial/cms50-sim.ts';
import { tempStores } from '../store/test-fixtures.ts';
import { memoryIo } from './helpers/memory-io.ts';
import { until } from './helpers/until.ts';

const temp = tempStores();

// The kit on a USB cable instead of the simulation (`--serial PATH`): a simulated CMS50 on a real
// socat pty, the real serial transport and manager, a real store and the HTTP API over a socket.
describe('the kit on serial instruments', () => {
  it('finds the oximeter on the given port, stores its readings, and runs no simulator', async () => {
    const simDir = temp.dir();
    mkdirSync(simDir, { recursive: true });
    const cms50 = await Cms50Sim.start({ protocol: 'v7', seed: 9 }, { dir: simDir });
    const dir = temp.dir();
    const store = await temp.reopen(dir);
    const config = parseKitConfig({
      dataDir: dir,
      http: { host: '127.0.0.1', port: 0 },
      sim: { enabled: false },
      serial: { auto: false, paths: [cms50.kitPath] },
      utcOffsetMinutes: 180,
      logLevel: 'silent',
    });
    const kit = await startKit(config, store, createLogger('silent'), 'test');
    try {
      const instruments = async () =>
        (await (await fetch(`${kit.url}api/instruments`)).json()) as WireInstrument[];
      expect((await instruments()).map((i) => [i.id, i.profile])).toEqual([[cms50.kitPath, 'contec-cms50']]);
      let observations: WireObservation[] = [];
      await until(
        async () => {
          observations = (await (await fetch(`${kit.url}api/observations`)).json()) as WireObservation[];
          return observations.some((o) => o.loinc === CODES.spo2.loinc);
        },
        { timeoutMs: 20_000, what: 'a stored SpO2 reading' },
      );
      expect(new Set(observations.map((o) => o.deviceId))).toEqual(new Set([cms50.kitPath]));
      expect((await store.listInstruments()).map((i) => i.transport)).toEqual(['serial']);
    } finally {
      await kit.stop();
      await cms50.stop();
    }
  });

  it('refuses a --serial value that is neither auto nor a path, before opening anything', async () => {
    const io = memoryIo();
    expect(await main(['start', '--data', temp.dir(), '--serial', 'ttyUSB0'], io)).toBe(2);
    expect(io.err()).toContain("--serial: 'ttyUSB0' is neither auto nor an absolute port path");
  });
});
