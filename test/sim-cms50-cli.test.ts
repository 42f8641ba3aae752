import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CMS50_SERIAL } from '../ble-devices/codecs/contec/cms50-link.ts';
import { asDeviceId } from '../ble-devices/transport.ts';
import { SerialTransport } from '../ble-devices/transports/serial/serial-transport.ts';
import { main } from '../runtime/cli/main.ts';
import { memoryIo } from './helpers/memory-io.ts';
import { until } from './helpers/until.ts';

describe('fieldkit sim cms50', () => {
  it('prints a pty path that the serial transport opens and reads frames from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-cli-cms50-'));
    const stop = new AbortController();
    // Stopped like Ctrl-C once the frames were read, instead of a fixed --duration.
    const io = { ...memoryIo(), stopSignal: stop.signal };
    const run = main(['sim', 'cms50', '--protocol', 'v7', '--dir', dir], io);
    await until(() => io.out().includes('\n'), { timeoutMs: 15_000, what: 'the pty path' });
    const path = io.out().split('\n')[0]!;
    expect(path.startsWith(dir)).toBe(true);
    expect(io.err()).toMatch(/simulated CMS50 \(v7\) ready: open .* at 115200 8N1/);
    const transport = new SerialTransport({ paths: [path], generations: ['9byte'] });
    const conn = await transport.connect(asDeviceId(path));
    const frames: Uint8Array[] = [];
    await conn.subscribe(CMS50_SERIAL.service, CMS50_SERIAL.frames, 'notify', (v) => frames.push(v));
    await until(() => frames.length >= 10, { timeoutMs: 10_000, what: 'ten frames' });
    expect(frames.every((f) => f.length === 9 && f[0] === 0x01)).toBe(true);
    await transport.close();
    stop.abort();
    expect(await run).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown protocol with exit 2', async () => {
    const io = memoryIo();
    expect(await main(['sim', 'cms50', '--protocol', '7byte'], io)).toBe(2);
    expect(io.err()).toMatch(/--protocol expects 5byte or v7/);
  });
});
