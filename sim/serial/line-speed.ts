import { execFile } from 'node:child_process';

/**
 * Watches the line speed the kit configured on its end of a pty pair, by asking `stty -F PATH
 * speed` (a pty keeps the speed a program sets, though it carries bytes at any speed). The
 * simulated device compares it with its own to model a baud-rate mismatch. Parity cannot be
 * watched this way: Linux ptys clear PARENB on every tcsetattr.
 */
export class LineSpeedWatch {
  #baud: number | null = null;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #stopped = false;

  constructor(
    readonly path: string,
    readonly intervalMs = 100,
  ) {}

  /** The speed last seen, or null before the first answer (or while the path is gone). */
  get baud(): number | null {
    return this.#baud;
  }

  start(): void {
    this.#stopped = false;
    this.#poll();
    this.#timer ??= setInterval(() => this.#poll(), this.intervalMs);
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flush();
  }

  /** Looks now (bytes just arrived from the kit, so its end is open and configured). */
  refresh(): Promise<void> {
    return new Promise((resolve) => this.#poll(resolve));
  }

  #waiting: (() => void)[] = [];

  #poll(done?: () => void): void {
    if (done) this.#waiting.push(done);
    if (this.#busy || this.#stopped) {
      if (this.#stopped) this.#flush();
      return;
    }
    this.#busy = true;
    execFile('stty', ['-F', this.path, 'speed'], { timeout: 2000 }, (err, stdout) => {
      this.#busy = false;
      if (!this.#stopped) {
        const n = Number(stdout.trim());
        this.#baud = err || !Number.isFinite(n) || n <= 0 ? null : n;
      }
      this.#flush();
    });
  }

  #flush(): void {
    for (const w of this.#waiting.splice(0)) w();
  }
}
