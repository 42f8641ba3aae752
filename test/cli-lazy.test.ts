import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const HOOK = join(ROOT, 'test/helpers/module-log-hook.js');
const dir = mkdtempSync(join(tmpdir(), 'fieldkit-modlog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fieldkit <args>` as a process and returns the project-relative paths of every module it loaded. */
function modulesLoadedBy(args: string[]): string[] {
  const log = join(dir, `${args.join('_').replace(/\W+/g, '_')}.log`);
  const r = spawnSync(process.execPath, ['--import', HOOK, join(ROOT, 'bin/fieldkit.js'), ...args], {
    env: { ...process.env, FIELDKIT_MODULE_LOG: log },
    encoding: 'utf8',
    timeout: 30_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((u) => u.startsWith('file://'))
    .map((u) => fileURLToPath(u.split('?')[0]!).slice(ROOT.length));
}

/** What a command that needs no store must never load: the store, LMDB, libsodium, the simulators, the server. */
const HEAVY =
  /^(store\/|sim\/|crypto\/|node_modules\/(lmdb|sodium-native|libsodium|hono|@hono|pino|cbor-x)\/)/;

describe('lazy CLI commands', () => {
  it('`fieldkit decode` loads the codecs but no store, simulator, crypto or server module', () => {
    const loaded = modulesLoadedBy(['decode', '2A5F', '00 64 00 5A 00']);
    expect(loaded).toContain('runtime/cli/decode-command.ts');
    expect(loaded).toContain('ble-devices/codecs/plx-continuous.ts');
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
    expect(loaded.filter((m) => m.endsWith('-command.ts'))).toEqual(['runtime/cli/decode-command.ts']);
  });

  it('`fieldkit --help` and `fieldkit start --help` load no command implementation at all', () => {
    for (const args of [['--help'], ['start', '--help']]) {
      const loaded = modulesLoadedBy(args);
      expect(loaded).toContain('runtime/cli/commands.ts');
      expect(loaded.filter((m) => HEAVY.test(m) || m.endsWith('-command.ts'))).toEqual([]);
    }
  });
});
