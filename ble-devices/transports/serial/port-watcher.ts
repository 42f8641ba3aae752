import type { PortCandidate } from './port-candidates.ts';

/** Ports that appeared and disappeared since the last look. */
export interface PortChange {
  readonly added: readonly PortCandidate[];
  readonly removed: readonly PortCandidate[];
}

/**
 * Notices USB serial ports coming and going by polling the candidate list (the by-id folder,
 * serialport's list() and the explicit paths): no udev dependency, and /dev/serial/by-id may not
 * even exist until the first adapter is plugged in. A port whose link now points elsewhere
 * (replugged, new /dev number) is reported removed and added. The first look reports every port
 * present as added.
 */
export class PortWatcher {
  #known = new Map<string, PortCandidate>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  readonly #listeners = new Set<(change: PortChange) => void>();

  constructor(
    private readonly list: () => Promise<PortCandidate[]>,
    readonly intervalMs = 1000,
  ) {}

  /** Ports present at the last look. */
  get known(): PortCandidate[] {
    return [...this.#known.values()];
  }

  /** Adds a listener; returns a function that removes it. */
  onChange(listener: (change: PortChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Starts polling; the first look happens at once. */
  start(): void {
    if (this.#timer) return;
    void this.poll();
    this.#timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** One look; resolves with what changed (also sent to listeners when anything did). */
  async poll(): Promise<PortChange> {
    if (this.#busy) return { added: [], removed: [] };
    this.#busy = true;
    try {
      const now = new Map((await this.list().catch(() => [] as PortCandidate[])).map((c) => [c.id, c]));
      const added = [...now.values()].filter((c) => this.#known.get(c.id)?.realPath !== c.realPath);
      const removed = [...this.#known.values()].filter((c) => now.get(c.id)?.realPath !== c.realPath);
      this.#known = now;
      const change = { added, removed };
      if (added.length + removed.length > 0) for (const l of [...this.#listeners]) l(change);
      return change;
    } finally {
      this.#busy = false;
    }
  }
}
