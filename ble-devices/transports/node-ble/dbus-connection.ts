import type { EventEmitter } from 'node:events';
import { Message, sessionBus, type MessageBus } from 'dbus-next';
import { TransportError } from '../../transport.ts';

interface BusInternals {
  _matchRules: Record<string, number>;
  _addMatch(match: string): Promise<unknown>;
  _removeMatch(match: string): Promise<unknown>;
  _connection?: EventEmitter & { stream?: { writable?: boolean } };
  name: string | null;
}

/** The well-known address of the system bus when DBUS_SYSTEM_BUS_ADDRESS is not set. */
export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket';

/**
 * Opens a connection to the system bus (or the address given) without ever letting an error
 * escape as an unhandled 'error' event, which is how node-ble's createBluetooth() takes a whole
 * process down when there is no system bus. Resolves once the bus said Hello; rejects with
 * `unavailable` otherwise. `onClosed` fires once when the connection ends (daemon killed).
 */
export async function openBus(
  address: string,
  timeoutMs: number,
  onClosed: (reason: string) => void,
): Promise<MessageBus> {
  let bus: MessageBus;
  try {
    bus = sessionBus({ busAddress: address });
  } catch (err) {
    throw new TransportError('unavailable', `no D-Bus at ${address}: ${(err as Error).message}`);
  }
  let closed = false;
  const close = (reason: string): void => {
    if (closed) return;
    closed = true;
    onClosed(reason);
  };
  // Registered before anything can fail: every later error is a state, never a crash.
  bus.on('error', (err: unknown) =>
    close(`D-Bus error: ${err instanceof Error ? err.message : String(err)}`),
  );
  const internals = bus as unknown as BusInternals;
  internals._connection?.on('end', () => close('D-Bus connection closed'));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      bus.disconnect();
      reject(new TransportError('unavailable', `no answer from D-Bus at ${address} in ${timeoutMs} ms`));
    }, timeoutMs);
    bus.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    bus.once('error', (err: unknown) => {
      clearTimeout(timer);
      reject(
        new TransportError(
          'unavailable',
          `no system D-Bus at ${address}: ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
    });
  });
  fixMatchRefcount(bus);
  dropSendsWhenClosed(bus);
  return bus;
}

/**
 * dbus-next 0.10.2 counts match rules with `hasOwnProperty.call(match, rules)` (arguments
 * swapped), so it sends AddMatch for every listener and never sends RemoveMatch. Each proxy
 * listener added and removed across reconnects then leaks a rule on the daemon, until the system
 * bus's per-connection limit refuses more. This replaces the two methods on our connection with
 * correctly reference-counted ones.
 */
export function fixMatchRefcount(bus: MessageBus): void {
  const b = bus as unknown as BusInternals;
  const send = (member: 'AddMatch' | 'RemoveMatch', match: string): Promise<unknown> =>
    bus.call(
      new Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member,
        signature: 's',
        body: [match],
      }),
    );
  b._addMatch = (match) => {
    const n = b._matchRules[match] ?? 0;
    b._matchRules[match] = n + 1;
    return n > 0 ? Promise.resolve() : send('AddMatch', match);
  };
  b._removeMatch = (match) => {
    const n = b._matchRules[match] ?? 0;
    if (n === 0) return Promise.resolve();
    if (n > 1) {
      b._matchRules[match] = n - 1;
      return Promise.resolve();
    }
    delete b._matchRules[match];
    if (b._connection?.stream?.writable === false) return Promise.resolve();
    return send('RemoveMatch', match);
  };
}

/** Our unique name on the bus (':1.42'), or null before Hello. */
export function uniqueName(bus: MessageBus): string | null {
  return (bus as unknown as BusInternals).name;
}

/** How many match rules this connection holds by its own count (a diagnostic for leak tests). */
export function localMatchRuleCount(bus: MessageBus): number {
  return Object.values((bus as unknown as BusInternals)._matchRules).reduce((a, b) => a + b, 0);
}

/**
 * dbus-next answers a method call that arrives while its socket is closing by sending a reply,
 * and when that send throws ("stream is closed") it sends an error reply from inside its socket
 * handler, which throws again: an uncaught exception that ends the process. On our connections a
 * send to a closed stream is dropped instead; nobody is left to read it.
 */
export function dropSendsWhenClosed(bus: MessageBus): void {
  const send = bus.send.bind(bus);
  const conn = (bus as unknown as BusInternals)._connection;
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
