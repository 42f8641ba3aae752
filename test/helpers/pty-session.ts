import { spawn, type ChildProcess } from 'node:child_process';

/** An interactive program on a real pty (socat), driven line by line as a person would. */
export interface PtySession {
  send(line: string): void;
  /** Waits until output after the last match matches `pattern`; returns the match. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
  /** Everything printed so far, ANSI codes removed. */
  output(): string;
  close(): Promise<void>;
}

// Colours, cursor moves, bracketed-paste toggles and the readline redraws bluetoothctl prints.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x01|\x02|\r/g;

/**
 * Starts `command` under a pseudo-terminal (`socat - EXEC:...,pty,setsid,ctty`), so programs that
 * prompt only on a tty (bluetoothctl's agent asking for a passkey) behave as for a person.
 */
export function startPty(command: string, env: NodeJS.ProcessEnv): PtySession {
  const child: ChildProcess = spawn('socat', ['-', `EXEC:${command},pty,setsid,ctty,stderr`], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  const onData = (d: Buffer): void => {
    text += d.toString('utf8').replace(ANSI, '');
    for (const w of [...waiters]) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    send(line) {
      child.stdin!.write(`${line}\n`);
    },
    waitFor(pattern, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const re = new RegExp(pattern.source, pattern.flags.replace('g', ''));
          const m = re.exec(text.slice(cursor));
          if (!m) return;
          cursor += m.index + m[0].length;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(`timed out waiting for ${pattern}; output since last match:\n${text.slice(cursor)}`),
          );
        }, ms);
        waiters.add(check);
        check();
      });
    },
    output: () => text,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(kill);
    },
  };
}
