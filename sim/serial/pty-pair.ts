import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** A socat-made pair of connected ptys: the kit opens one end, a simulated device the other. */
export interface PtyPair {
  /** The path the kit opens (a symlink to /dev/pts/N made by socat). */
  readonly kitPath: string;
  /** The path the simulated device opens. */
  readonly devicePath: string;
  /** Resolves when socat has exited (killed, or both ends gone). */
  readonly exited: Promise<void>;
  /** Kills socat (a pulled cable): both ptys vanish and the kit's open port gets a hangup. */
  close(): Promise<void>;
}

/** Thrown when socat cannot make the pair (not installed, path not writable). */
export class PtyPairError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PtyPairError';
  }
}

/**
 * Starts `socat pty,raw,echo=0,link=KIT pty,raw,echo=0,link=DEVICE` and resolves once socat is
 * copying between the two (both links exist). Bytes, not bits, cross a pty: line speed and
 * parity are not simulated by socat (see uart-line.ts for how the device models a mismatch).
 */
export async function openPtyPair(kitPath: string, devicePath: string, timeoutMs = 5000): Promise<PtyPair> {
  const child: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${kitPath}`, `pty,raw,echo=0,link=${devicePath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`socat did not start within ${timeoutMs} ms: ${stderr.trim()}`),
      timeoutMs,
    );
    function fail(message: string): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new PtyPairError(message));
    }
    const onExit = (code: number | null): void => fail(`socat exited (${code}): ${stderr.trim()}`);
    child.once('error', (err) => fail(`cannot run socat: ${err.message}`));
    child.once('exit', onExit);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
      if (stderr.includes('starting data transfer loop') && existsSync(kitPath) && existsSync(devicePath)) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      }
    });
  });
  // socat's log is not needed once it runs; keep draining it so the pipe never fills.
  child.stderr!.resume();
  return {
    kitPath,
    devicePath,
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
