import type { WireEvents } from '../../../../runtime/http/wire.ts';

/** A call event as the live channel delivers it (checked against its schema by the call panel). */
export type CallEvent = WireEvents['call'];

const KEEP = 64;

/**
 * Call events from the live channel, held for the call panel: it loads only when a call rings
 * (its WebRTC code and schemas stay out of the main bundle) and then reads what arrived before it.
 */
class CallBus {
  readonly #listeners = new Set<(e: CallEvent) => void>();
  #recent: CallEvent[] = [];

  push(event: CallEvent): void {
    this.#recent.push(event);
    if (this.#recent.length > KEEP) this.#recent.shift();
    for (const l of [...this.#listeners]) l(event);
  }

  /** Events held so far (oldest first). */
  recent(): readonly CallEvent[] {
    return this.#recent;
  }

  subscribe(listener: (e: CallEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}

/** The tablet's one call bus. */
export const callBus = new CallBus();
