import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../store/testing.ts';
import { fingerprint } from './helpers/data-dir.ts';

interface Started {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

/** Runs `fieldkit start` as a user would (a real process), on a free port. */
function startKit(dataDir: string, passphrase: string): Started {
  const child = spawn(process.execPath, ['bin/fieldkit.js', 'start', '--port', '0', '--log-level', 'warn'], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Open: (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`exited before printing a URL: ${stderr}`)));
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  url.catch(() => undefined);
  return { child, url, exit };
}

describe('fieldkit start as a process', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.reverse()) c();
    cleanups.length = 0;
  });

  it('prints a URL within 15 s, serves the page, stops cleanly on SIGTERM; a wrong passphrase then changes nothing', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
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
});
