/**
 * A one-line progress bar for long exports and imports, drawn on a terminal only (a redirected
 * stderr gets nothing but the final summary). Redrawn at most every 100 ms.
 */
export class ProgressBar {
  #last = 0;
  #drawn = false;

  constructor(
    private readonly write: (text: string) => void,
    private readonly label: string,
    private readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Shows `done` of `total`. */
  update(done: number, total: number): void {
    if (!this.enabled) return;
    const t = this.now();
    if (done < total && t - this.#last < 100) return;
    this.#last = t;
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    this.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${pct}%`,
    );
    this.#drawn = true;
  }

  /** Ends the line the bar was drawn on. */
  finish(): void {
    if (this.#drawn) this.write('\n');
    this.#drawn = false;
  }
}
