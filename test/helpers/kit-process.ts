import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onLines } from './lines.ts';

const BIN = fileURLToPath(new URL('../../bin/fieldkit.js', import.meta.url));

/** A `fieldkit start` process as a user runs it, with its URL, its log lines and its exit. */
export interface KitProcess {
  readonly child: ChildProcess;
  /** The URL the kit printed (`Open: …`). */
  readonly url: Promise<string>;
  /** Every stderr line so far (JSON log records when stderr is not a terminal). */
  readonly logLines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns `fieldkit start --port 0 …extraArgs` on `dataDir` with the passphrase in the environment. */
export function spawnKit(dataDir: string, passphrase: string, extraArgs: readonly string[] = []): KitProcess {
  const child = spawn(process.execPath, [BIN, 'start', '--port', '0', ...extraArgs], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  onLines(child.stderr, (line) => logLines.push(line));
  const url = new Promise<string>((resolve, reject) => {
    onLines(child.stdout, (line) => {
      const m = /^Open: (http:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`exited before printing a URL: ${logLines.join('\n')}`)));
  });
  url.catch(() => undefined);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, url, logLines, exit };
}

/** The kit's JSON log records (lines that are not JSON, e.g. a native library's, are skipped). */
export function logRecords(
  lines: readonly string[],
): Array<{ level: number; msg: string } & Record<string, unknown>> {
  return lines.flatMap((l) => {
    try {
      const rec = JSON.parse(l) as unknown;
      return rec && typeof rec === 'object' && 'msg' in rec ? [rec as { level: number; msg: string }] : [];
    } catch {
      return [];
    }
  });
}

/** A `fieldkit start` process whose exit also carries everything it wrote on stderr. */
export interface StartedKit {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  readonly exit: Promise<{ code: number | null; stderr: string }>;
}

/** {@link spawnKit} logging only warnings, its exit with its stderr (for messages to the user). */
export function startKit(dataDir: string, passphrase: string, extraArgs: readonly string[] = []): StartedKit {
  const kit = spawnKit(dataDir, passphrase, ['--log-level', 'warn', ...extraArgs]);
  const exit = kit.exit.then(({ code }) => ({ code, stderr: kit.logLines.join('\n') }));
  return { child: kit.child, url: kit.url, exit };
}

/** Runs one `fieldkit` command as a process to its end (extra environment variables in `env`). */
export function runCli(
  args: string[],
  dataDir: string,
  passphrase: string,
  env: Readonly<Record<string, string>> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, FIELDKIT_DATA: dataDir, FIELDKIT_PASSPHRASE: passphrase, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
