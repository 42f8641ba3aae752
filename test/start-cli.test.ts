import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempStores } from '../store/test-fixtures.ts';
import { fingerprint } from './helpers/data-dir.ts';
import { runCli, startKit } from './helpers/kit-process.ts';

const temp = tempStores();

const pidIn = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'kit.pid'), 'utf8')) as { pid: number }).pid;

describe('fieldkit start as a process', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.reverse()) c();
    cleanups.length = 0;
  });

  it('prints a URL within 15 s, serves the page, stops cleanly on SIGTERM; a wrong passphrase then changes nothing', async () => {
    const dir = temp.dir();
    const started = Date.now();
    const kit = startKit(dir, 'the right passphrase');
    cleanups.push(() => kit.child.kill('SIGKILL'));
    const url = await kit.url;
    expect(Date.now() - started).toBeLessThan(15_000);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    kit.child.kill('SIGTERM');
    const { code } = await kit.exit;
    expect(code).toBe(0);

    const before = fingerprint(dir);
    const wrong = startKit(dir, 'not the passphrase');
    cleanups.push(() => wrong.child.kill('SIGKILL'));
    const result = await wrong.exit;
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/wrong passphrase/i);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect(fingerprint(dir)).toBe(before);
  });

  // Eight `fieldkit` processes, most unlocking with the production Argon2id: 47 s measured alone
  // while other test runs shared the machine's two cores (load average 16).
  it(
    'holds kit.pid while running: a second start and a restore refuse and change nothing, restore --check runs; after SIGTERM the file is gone and the restore runs, audited',
    { timeout: 180_000 },
    async () => {
      const dir = temp.dir();
      const pass = 'kit pass';
      const kit = startKit(dir, pass);
      cleanups.push(() => kit.child.kill('SIGKILL'));
      const url = await kit.url;
      expect(pidIn(dir)).toBe(kit.child.pid);
      const file = join(dirname(dir), 'kit.fkbackup');
      expect((await runCli(['backup', file], dir, pass)).code).toBe(0);

      // Frozen, the kit stays alive but writes nothing, so the data directory can be compared.
      kit.child.kill('SIGSTOP');
      cleanups.push(() => kit.child.kill('SIGCONT'));
      await new Promise((r) => setTimeout(r, 300));
      const before = fingerprint(dir);
      const around = readdirSync(dirname(dir)).sort();

      const restore = await runCli(['restore', file], dir, pass);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain(`The kit is running on ${dir} (pid ${kit.child.pid}`);
      expect(restore.stderr).toContain('stop the kit first');
      expect(restore.stderr).not.toMatch(/\n\s+at /);
      const second = startKit(dir, pass);
      cleanups.push(() => second.child.kill('SIGKILL'));
      const refused = await second.exit;
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`pid ${kit.child.pid}`);
      expect(refused.stderr).toContain('stop the kit first');
      expect((await runCli(['restore', '--check', file], dir, pass)).code).toBe(0);
      expect(fingerprint(dir)).toBe(before);
      expect(readdirSync(dirname(dir)).sort()).toEqual(around);

      kit.child.kill('SIGCONT');
      expect((await fetch(url)).status).toBe(200);
      kit.child.kill('SIGTERM');
      expect((await kit.exit).code).toBe(0);
      expect(existsSync(join(dir, 'kit.pid'))).toBe(false);

      const restored = await runCli(['restore', file], dir, pass);
      expect(restored.code).toBe(0);
      const sha = createHash('sha256').update(readFileSync(file)).digest('hex');
      expect(restored.stdout).toContain(`a restore of backup-${sha.slice(0, 16)}`);
      const audit = await runCli(['audit', 'verify'], dir, pass);
      expect(audit.code).toBe(0);
      expect(audit.stdout).toMatch(/audit chain intact/);
    },
  );

  it('a kit killed with SIGKILL leaves a stale kit.pid: the next start replaces it and a restore is not blocked by it', async () => {
    const dir = temp.dir();
    const pass = 'kit pass';
    const first = startKit(dir, pass);
    cleanups.push(() => first.child.kill('SIGKILL'));
    await first.url;
    first.child.kill('SIGKILL');
    await first.exit;
    expect(pidIn(dir)).toBe(first.child.pid);

    const next = startKit(dir, pass);
    cleanups.push(() => next.child.kill('SIGKILL'));
    await next.url;
    expect(pidIn(dir)).toBe(next.child.pid);
    next.child.kill('SIGKILL');
    await next.exit;

    const file = join(dirname(dir), 'kit.fkbackup');
    expect((await runCli(['backup', file], dir, pass)).code).toBe(0);
    const restored = await runCli(['restore', file], dir, pass);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const kept = /kept in (\S+)/.exec(restored.stdout)?.[1];
    expect(kept && existsSync(kept)).toBe(true);
    expect(existsSync(join(kept ?? '', 'kit.pid'))).toBe(false);
  });
});
