/**
 * In-process publish/subscribe for what the tablets watch live. Observations are published only
 * after their commit resolved, so anything a tablet shows is already saved.
 */
export class LiveBus<E> {
  readonly #listeners = new Set<(event: E) => void>();

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: (event: E) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(event: E): void {
    for (const l of [...this.#listeners]) l(event);
  }

  get size(): number {
    return this.#listeners.size;
  }
}
