import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onLines } from './lines.ts';

const BIN = fileURLToPath(new URL('../../bin/fieldkit.js', import.meta.url));

/** A `fieldkit hub` process as an operator runs it: its URL, its output, its exit. */
export interface HubProcess {
  readonly child: ChildProcess;
  /** The URL it printed (`Field kit hub running: https://…`). */
  readonly url: Promise<string>;
  /** Every stderr line so far (its log). */
  readonly logLines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (kill -9), and resolves once it is reaped. */
  kill(): Promise<void>;
}

/**
 * Spawns `bin/fieldkit.js hub --data <dataDir> …args` with the passphrase in the environment, so
 * tests exercise the real command (its store opening, lock file, TLS files and directory reading)
 * rather than an entry point of their own.
 */
export function spawnHub(dataDir: string, passphrase: string, args: readonly string[]): HubProcess {
  const child = spawn(process.execPath, [BIN, 'hub', '--data', dataDir, ...args], {
    env: { ...process.env, FIELDKIT_PASSPHRASE: passphrase },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  onLines(child.stderr, (line) => logLines.push(line));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = new Promise<string>((resolve, reject) => {
    onLines(child.stdout, (line) => {
      const m = /^Field kit hub running: (https:\/\/\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
    void exit.then(() => reject(new Error(`fieldkit hub exited before listening: ${logLines.join('\n')}`)));
  });
  url.catch(() => undefined);
  return {
    child,
    url,
    logLines,
    exit,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit;
    },
  };
}
