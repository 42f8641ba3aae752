/**
 * Runs async operations one at a time, as GATT demands (one outstanding read/write/CCCD write per
 * link). Every transport (the simulator's, and the BlueZ, noble and serial ones as they come) uses
 * this one helper, so drivers see the same ordering everywhere; it lives beside the transports,
 * not in sim/, so a real transport never imports the simulators.
 */
export class OpQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Runs `op` after every operation queued before it has settled (a failure does not block the next). */
  run<T>(op: () => Promise<T> | T): Promise<T> {
    const next = this.#tail.then(op, op);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
