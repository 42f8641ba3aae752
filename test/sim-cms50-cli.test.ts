import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CMS50_SERIAL } from '../ble-devices/codecs/contec/cms50-link.ts';
import { asDeviceId } from '../ble-devices/transport.ts';
import { SerialTransport } from '../ble-devices/transports/serial/serial-transport.ts';
import { main } from '../runtime/cli/main.ts';
import { memoryIo } from './helpers/memory-io.ts';

describe('fieldkit sim cms50', () => {
  it('prints a pty path that the serial transport opens and reads frames from', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-cli-cms50-'));
    const io = memoryIo();
    const run = main(['sim', 'cms50', '--protocol', 'v7', '--dir', dir, '--duration', '2.5'], io);
    const end = Date.now() + 3000;
    while (!io.out().includes('\n') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    const path = io.out().split('\n')[0]!;
    expect(path.startsWith(dir)).toBe(true);
    expect(io.err()).toMatch(/simulated CMS50 \(v7\) ready: open .* at 115200 8N1/);
    const transport = new SerialTransport({ paths: [path], generations: ['9byte'] });
    const conn = await transport.connect(asDeviceId(path));
    const frames: Uint8Array[] = [];
    await conn.subscribe(CMS50_SERIAL.service, CMS50_SERIAL.frames, 'notify', (v) => frames.push(v));
    while (frames.length < 10 && Date.now() < end + 2000) await new Promise((r) => setTimeout(r, 20));
    expect(frames.length).toBeGreaterThanOrEqual(10);
    expect(frames.every((f) => f.length === 9 && f[0] === 0x01)).toBe(true);
    await transport.close();
    expect(await run).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses an unknown protocol with exit 2', async () => {
    const io = memoryIo();
    expect(await main(['sim', 'cms50', '--protocol', '7byte'], io)).toBe(2);
    expect(io.err()).toMatch(/--protocol expects 5byte or v7/);
  });
});
