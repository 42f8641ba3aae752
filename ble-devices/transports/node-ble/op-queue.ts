/**
 * Runs async operations one at a time, as GATT demands (one outstanding read/write/CCCD write per
 * link). The same helper as SimTransport's, kept here until the shared one leaves sim/.
 */
export class OpQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(op, op);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
