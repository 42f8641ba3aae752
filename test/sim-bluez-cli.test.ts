import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { memoryIo } from './helpers/memory-io.ts';

const run = promisify(execFile);

describe('fieldkit sim bluez', () => {
  it('prints the bus address; gdbus sees org.bluez there; stdin commands drive faults; Ctrl-C cleans up', async () => {
    const stop = new AbortController();
    const stdin = new PassThrough();
    const io = { ...memoryIo(), stdin, stopSignal: stop.signal };
    const running = main(
      ['sim', 'bluez', '--json', '--instruments', 'oximeter,oximeter,bp', '--passkey', '111111'],
      io,
    );
    const events = (): Array<Record<string, unknown>> =>
      io
        .out()
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await expect.poll(() => events()[0]?.event, { timeout: 10_000 }).toBe('ready');
    const ready = events()[0] as { address: string; devices: Array<{ id: string; address: string }> };
    expect(ready.devices.map((d) => d.id)).toEqual(['sim-plx-1', 'sim-plx-2', 'sim-bp-1']);
    // An independent client (GLib's gdbus) on the printed address.
    const { stdout } = await run('gdbus', [
      'call',
      '--address',
      ready.address,
      '--dest',
      'org.bluez',
      '--object-path',
      '/org/bluez/hci0',
      '--method',
      'org.freedesktop.DBus.Properties.Get',
      'org.bluez.Adapter1',
      'Powered',
    ]);
    expect(stdout.trim()).toBe('(<true>,)');
    stdin.write('list\n');
    stdin.write('restart\n');
    stdin.write('drop nobody\n');
    await expect.poll(() => events().filter((e) => e.event === 'device').length).toBe(3);
    await expect.poll(() => events().some((e) => e.event === 'restarted')).toBe(true);
    await expect.poll(() => events().some((e) => e.event === 'error')).toBe(true);
    stop.abort();
    expect(await running).toBe(0);
    expect(existsSync(ready.address.replace('unix:path=', ''))).toBe(false);
  });

  it('refuses an unknown instrument or fault with exit 2', async () => {
    expect(await main(['sim', 'bluez', '--instruments', 'toaster'], memoryIo())).toBe(2);
    expect(await main(['sim', 'bluez', '--faults', 'gremlins'], memoryIo())).toBe(2);
    expect(await main(['sim', 'bluez', '--clock', '1984'], memoryIo())).toBe(2);
  });
});
