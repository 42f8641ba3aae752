import { asDeviceId } from '../../ble-devices/transport.ts';
import { runTransportTests } from '../../test/transport-acceptance.ts';
import { SimPeripheral } from '../gatt/sim-peripheral.ts';
import { SimTransport } from './sim-transport.ts';

runTransportTests('sim', () => {
  const p = new SimPeripheral('sim-test-1', 'Test instrument', {
    '180f': {
      '2a19': { properties: ['read'], value: Uint8Array.of(77) },
      '2a5f': { properties: ['notify'] },
    },
  });
  const transport = new SimTransport([p]);
  return Promise.resolve({
    transport,
    deviceId: asDeviceId('sim-test-1'),
    service: '180f',
    readChar: '2a19',
    readValue: Uint8Array.of(77),
    notifyChar: '2a5f',
    notify: (bytes: Uint8Array) => p.emit('180f', '2a5f', bytes),
    dropLink: () => p.detach('test link loss'),
    teardown: () => transport.close(),
  });
});
