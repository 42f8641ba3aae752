import { useLayoutEffect, useReducer } from 'preact/hooks';

/**
 * One observable value of the app state. Screens read cells through {@link useCell}; only the
 * app state's actions write them, so components never touch the network or the database.
 */
export class Cell<T> {
  #value: T;
  readonly #subscribers = new Set<(value: T) => void>();

  constructor(value: T) {
    this.#value = value;
  }

  get value(): T {
    return this.#value;
  }

  /** Replaces the value and tells subscribers (nothing happens for the same value). */
  set(value: T): void {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const s of [...this.#subscribers]) s(value);
  }

  /** Sets the value computed from the current one. */
  update(fn: (value: T) => T): void {
    this.set(fn(this.#value));
  }

  /** Adds a subscriber; returns the function that removes it. */
  subscribe(fn: (value: T) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }
}

/** Re-renders the component when the cell changes; returns its current value. */
export function useCell<T>(cell: Cell<T>): T {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const seen = cell.value;
  useLayoutEffect(() => {
    // A change between render and subscription would otherwise be missed.
    if (!Object.is(cell.value, seen)) rerender(0);
    return cell.subscribe(() => rerender(0));
  }, [cell]);
  return cell.value;
}
