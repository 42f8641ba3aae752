import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../runtime/cli/commands.ts';
import { main } from '../runtime/cli/main.ts';
import { memoryIo } from './helpers/memory-io.ts';

const run = promisify(execFile);

describe('fieldkit CLI contract', () => {
  it('prints the version', async () => {
    const io = memoryIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(io.out()).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('lists every command in --help', async () => {
    const io = memoryIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of COMMANDS) expect(io.out()).toContain(c.name);
  });

  it.each(COMMANDS.map((c) => c.name))('%s --help exits 0 with usage', async (name) => {
    const io = memoryIo();
    expect(await main([name, '--help'], io)).toBe(0);
    expect(io.out()).toContain(`Usage: fieldkit ${name}`);
  });

  it('exits 2 with usage on an unknown command', async () => {
    const io = memoryIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err()).toContain("unknown command 'frobnicate'");
    expect(io.err()).toContain('Usage: fieldkit <command>');
  });

  it('exits 2 with usage on an unknown flag', async () => {
    const io = memoryIo();
    expect(await main(['start', '--no-such-flag'], io)).toBe(2);
    expect(io.err()).toContain('Usage: fieldkit start');
  });

  it('exits 2 with usage on a missing argument', async () => {
    const io = memoryIo();
    expect(await main(['decode', '0x2A5F'], io)).toBe(2);
    expect(io.err()).toContain('Usage: fieldkit decode');
  });

  it('exits 2 when no passphrase source exists and stdin is not a terminal', async () => {
    const io = memoryIo({});
    expect(await main(['start', '--data', '/nonexistent/never-created'], io)).toBe(2);
    expect(io.err()).toContain('FIELDKIT_PASSPHRASE');
  });

  it('runs as an executable (bin/fieldkit.js) and decodes the PLX-01 frame', async () => {
    const { stdout } = await run(process.execPath, ['bin/fieldkit.js', 'decode', '0x2A5F', '00 64 00 5A 00']);
    const json = JSON.parse(stdout) as Record<string, unknown>;
    expect(json.spo2).toBe(100);
    expect(json.pr).toBe(90);
  });
});
