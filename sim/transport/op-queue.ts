/**
 * Runs async operations one at a time, as GATT demands (one outstanding read/write/CCCD write per
 * link). Real transports use the same helper so drivers see the same ordering everywhere.
 */
export class OpQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(op, op);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
