import { spawn, type ChildProcess } from 'node:child_process';

/** A `fieldkit start` process and what it printed. */
export interface StartedKit {
  readonly child: ChildProcess;
  /** The URL it printed ("Open: ..."); rejects if it exits first. */
  readonly url: Promise<string>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

/** Runs `fieldkit start` as a user would (a real process), on a free port. */
export function startKit(dataDir: string, passphrase: string, extraArgs: readonly string[] = []): StartedKit {
  const child = spawn(
    process.execPath,
    ['bin/fieldkit.js', 'start', '--port', '0', '--log-level', 'warn', ...extraArgs],
    {
      env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Open: (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before printing a URL: ${stderr}`)));
  });
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stderr })),
  );
  url.catch(() => undefined);
  return { child, url, exit };
}

/** Runs one `fieldkit` command as a process to its end (extra environment variables in `env`). */
export function runCli(
  args: string[],
  dataDir: string,
  passphrase: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/fieldkit.js', ...args], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
