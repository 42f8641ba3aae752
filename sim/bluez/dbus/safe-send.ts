import type { EventEmitter } from 'node:events';
import type { MessageBus } from 'dbus-next';

/**
 * dbus-next replies to a method call that arrives while its socket is closing, and when that send
 * throws ("stream is closed") it sends an error reply from inside its socket handler, which throws
 * again: an uncaught exception. The simulated bluetoothd is stopped and restarted on purpose
 * (faults), so on its connections a send to a closed stream is dropped instead.
 */
export function dropSendsWhenClosed(bus: MessageBus): void {
  const send = bus.send.bind(bus);
  const conn = (bus as unknown as { _connection?: EventEmitter & { stream?: { writable?: boolean } } })
    ._connection;
  const closed = (): boolean => conn?.stream?.writable === false;
  bus.send = (msg) => {
    if (closed()) return;
    try {
      send(msg);
    } catch (err) {
      if (!closed()) throw err;
    }
  };
}
