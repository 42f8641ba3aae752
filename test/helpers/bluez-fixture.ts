import { dropSendsWhenClosed } from '../../ble-devices/transports/node-ble/dbus-connection.ts';
import { Message, sessionBus, type MessageBus } from 'dbus-next';
import {
  NodeBleTransport,
  type NodeBleTransportOptions,
} from '../../ble-devices/transports/node-ble/index.ts';
import { SimBluez, startPrivateBus, type PrivateBus, type SimBluezOptions } from '../../sim/bluez/index.ts';

/** The simulated BlueZ on a private bus with the node-ble transport pointed at it. */
export interface BluezFixture {
  readonly bus: PrivateBus;
  readonly bluez: SimBluez;
  readonly transport: NodeBleTransport;
  /** Runs a discovery so BlueZ knows the instruments (as a person would before pairing). */
  discover(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Fast timings for tests: the simulated radio answers in milliseconds. */
export const FAST = { connectMs: 5, resolveMs: 5, typingMs: 20, advertisingIntervalMs: 50 } as const;

/** Starts a private bus, the simulated bluetoothd with `devices`, and a node-ble transport on it. */
export async function bluezFixture(
  sim: Omit<SimBluezOptions, 'busAddress'>,
  transportOptions: Omit<NodeBleTransportOptions, 'busAddress'> = {},
  bus?: PrivateBus,
): Promise<BluezFixture> {
  const ownBus = !bus;
  const b = bus ?? (await startPrivateBus());
  const bluez = await SimBluez.start({ ...FAST, ...sim, busAddress: b.address });
  const transport = new NodeBleTransport({
    busAddress: b.address,
    timeouts: { callMs: 3000, connectMs: 3000, resolveMs: 3000, pairMs: 10_000 },
    ...transportOptions,
  });
  return {
    bus: b,
    bluez,
    transport,
    async discover(ms = 30) {
      await transport.scan({ timeoutMs: ms });
    },
    async stop() {
      await transport.close();
      await bluez.stop();
      if (ownBus) await b.stop();
    },
  };
}

/** Connects a plain dbus-next client to the bus (an independent client: no agent, no node-ble). */
export async function rawClient(address: string): Promise<MessageBus> {
  const bus = sessionBus({ busAddress: address });
  bus.on('error', () => undefined);
  dropSendsWhenClosed(bus);
  await new Promise<void>((resolve) => bus.once('connect', () => resolve()));
  return bus;
}

/** The daemon's own count of a connection's match rules (org.freedesktop.DBus.Debug.Stats). */
export async function daemonMatchRules(client: MessageBus, name: string): Promise<number> {
  const reply = await client.call(
    new Message({
      destination: 'org.freedesktop.DBus',
      path: '/org/freedesktop/DBus',
      interface: 'org.freedesktop.DBus.Debug.Stats',
      member: 'GetConnectionStats',
      signature: 's',
      body: [name],
    }),
  );
  const stats = reply!.body[0] as Record<string, { value: number }>;
  return stats.MatchRules!.value;
}
