import { spawn, type ChildProcess } from 'node:child_process';

// One long-lived shell asks `stty` in a loop and prints each answer (0 when the path is gone);
// it ends with its parent, so a killed simulator leaves no loop behind.
const LOOP =
  'while kill -0 "$PPID" 2>/dev/null; do stty -F "$1" speed 2>/dev/null || echo 0; sleep "$2"; done';

/**
 * Watches the line speed the kit configured on its end of a pty pair, by asking `stty -F PATH
 * speed` (a pty keeps the speed a program sets, though it carries bytes at any speed). The
 * simulated device compares it with its own to model a baud-rate mismatch. Parity cannot be
 * watched this way: Linux ptys clear PARENB on every tcsetattr. The asking runs in one shell
 * loop rather than a Node child per look: on a loaded machine spawning from Node took up to
 * seconds, so the device went on garbling long after the kit had set the right speed.
 */
export class LineSpeedWatch {
  #baud: number | null = null;
  #child: ChildProcess | undefined;
  #pending = '';
  #waiting: (() => void)[] = [];

  constructor(
    readonly path: string,
    readonly intervalMs = 100,
  ) {}

  /** The speed last seen, or null before the first answer (or while the path is gone). */
  get baud(): number | null {
    return this.#baud;
  }

  start(): void {
    if (this.#child) return;
    const seconds = (Math.max(10, this.intervalMs) / 1000).toFixed(3);
    const child = spawn('sh', ['-c', LOOP, 'sh', this.path, seconds], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.#child = child;
    child.on('error', () => this.stop());
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (this.#pending + chunk).split('\n');
      this.#pending = lines.pop() ?? '';
      for (const line of lines) {
        const n = Number(line.trim());
        this.#baud = Number.isFinite(n) && n > 0 ? n : null;
      }
      if (lines.length > 0) this.#flush();
    });
  }

  stop(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    this.#flush();
  }

  /** Waits for the next look (bytes just arrived from the kit, so its end is open and configured). */
  refresh(): Promise<void> {
    if (!this.#child) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #flush(): void {
    for (const w of this.#waiting.splice(0)) w();
  }
}
