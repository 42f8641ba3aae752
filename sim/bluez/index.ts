import { startPrivateBus, type PrivateBus, type PrivateBusOptions } from './dbus/private-bus.ts';
import { SimBluez, type SimBluezOptions } from './sim-bluez.ts';

export { DbusDaemonUnavailable, startPrivateBus, type PrivateBus } from './dbus/private-bus.ts';
export {
  SimBluez,
  type SimBluezDeviceOptions,
  type SimBluezEvent,
  type SimBluezOptions,
  type WriteRecord,
} from './sim-bluez.ts';
export type { SimBluezDevice, SimBluezDeviceFaults } from './device.ts';
export type { PairingMethod } from './pairing.ts';
export { addressForId, devicePath } from './paths.ts';

/** A simulated BlueZ on its own private system bus. */
export interface SimulatedBluez {
  readonly bus: PrivateBus;
  readonly bluez: SimBluez;
  /** For DBUS_SYSTEM_BUS_ADDRESS. */
  readonly address: string;
  stop(): Promise<void>;
}

/**
 * Starts a private dbus-daemon and the simulated bluetoothd on it: what `fieldkit sim bluez`,
 * `npm start`, the tests and the benchmark run. Throws {@link DbusDaemonUnavailable} when there
 * is no dbus-daemon (callers fall back to SimTransport and say so).
 */
export async function startSimulatedBluez(
  options: Omit<SimBluezOptions, 'busAddress'>,
  busOptions: PrivateBusOptions = {},
): Promise<SimulatedBluez> {
  const bus = await startPrivateBus(busOptions);
  let bluez: SimBluez;
  try {
    bluez = await SimBluez.start({ ...options, busAddress: bus.address });
  } catch (err) {
    await bus.stop();
    throw err;
  }
  return {
    bus,
    bluez,
    address: bus.address,
    async stop() {
      await bluez.stop();
      await bus.stop();
    },
  };
}
