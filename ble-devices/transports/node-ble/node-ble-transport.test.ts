import { afterAll, beforeAll } from 'vitest';
import { SimPeripheral } from '../../../sim/gatt/sim-peripheral.ts';
import { SimBluez, startPrivateBus, type PrivateBus } from '../../../sim/bluez/index.ts';
import { runTransportTests } from '../../../test/transport-acceptance.ts';
import { asDeviceId } from '../../transport.ts';
import { NodeBleTransport } from './node-ble-transport.ts';

let bus: PrivateBus;
beforeAll(async () => {
  bus = await startPrivateBus();
});
afterAll(async () => {
  await bus.stop();
});

// The shared suite, through node-ble and a real dbus-daemon, against the simulated bluetoothd.
runTransportTests('node-ble (simulated BlueZ)', async () => {
  const p = new SimPeripheral('nb-test-1', 'Test instrument', {
    '180f': {
      '2a19': { properties: ['read'], value: Uint8Array.of(77) },
      '2a5f': { properties: ['notify'] },
    },
  });
  const bluez = await SimBluez.start({
    busAddress: bus.address,
    devices: [{ peripheral: p }],
    connectMs: 5,
    resolveMs: 5,
  });
  const address = bluez.devices[0]!.address;
  const transport = new NodeBleTransport({
    busAddress: bus.address,
    timeouts: { callMs: 3000, connectMs: 3000, resolveMs: 3000 },
  });
  // BlueZ only knows devices it has heard advertising.
  await transport.scan({ timeoutMs: 20 });
  return {
    transport,
    deviceId: asDeviceId(address),
    service: '180f',
    readChar: '2a19',
    readValue: Uint8Array.of(77),
    notifyChar: '2a5f',
    notify: (bytes: Uint8Array) => p.emit('180f', '2a5f', bytes),
    dropLink: () => p.detach('test link loss'),
    teardown: async () => {
      await transport.close();
      await bluez.stop();
    },
  };
});
