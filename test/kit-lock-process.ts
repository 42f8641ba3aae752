import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onLines } from './helpers/lines.ts';

const child = fileURLToPath(new URL('./helpers/kit-lock-child.ts', import.meta.url));

/** A process started by {@link lockHolder}: what it printed first, and how to end it. */
export interface LockHolder {
  readonly child: ChildProcess;
  /** `held` or `refused`. */
  readonly outcome: Promise<string>;
  /** SIGKILLs it and resolves once it is reaped (so its pid is no longer alive). */
  kill(): Promise<void>;
}

/**
 * Starts a separate process that tries to take `dir`'s kit.pid (at `at`, epoch ms, if given) and
 * then stays alive holding it or not.
 */
export function lockHolder(dir: string, at?: number): LockHolder {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', child, dir, ...(at === undefined ? [] : [String(at)])],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const outcome = new Promise<string>((resolve, reject) => {
    onLines(proc.stdout, (line) => resolve(line));
    proc.once('exit', (code) => reject(new Error(`kit-lock child exited (${code})`)));
  });
  outcome.catch(() => undefined);
  return {
    child: proc,
    outcome,
    async kill() {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}
