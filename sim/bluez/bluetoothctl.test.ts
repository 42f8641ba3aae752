import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPty } from '../../test/helpers/pty-session.ts';
import { createSimBpMonitor } from '../instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../instruments/sim-instrument.ts';
import { startSimulatedBluez, type SimulatedBluez } from './index.ts';

/**
 * BlueZ's own client as an independent judge: Debian's bluetoothctl 5.66, on a real pty, talks
 * to the simulated bluetoothd on its private system bus exactly as it would to the real one.
 */
describe('bluetoothctl against the simulated BlueZ', () => {
  let sim: SimulatedBluez;
  let instruments: SimInstrument[];
  beforeAll(async () => {
    instruments = [
      createSimPulseOximeter({ id: 'ctl-plx', rateHz: 20 }),
      createSimBpMonitor({ id: 'ctl-bp', intervalMs: 60_000 }),
    ];
    for (const i of instruments) i.start();
    sim = await startSimulatedBluez({
      devices: [
        { peripheral: instruments[0]!.peripheral },
        { peripheral: instruments[1]!.peripheral, pairing: 'passkey-entry' },
      ],
      advertisingIntervalMs: 100,
    });
  });
  afterAll(async () => {
    for (const i of instruments) i.stop();
    await sim.stop();
  });

  it('lists, pairs with a passkey (a wrong one refused), connects, reads Battery Level and sees notifications', async () => {
    const ox = sim.bluez.device('ctl-plx')!;
    const bp = sim.bluez.device('ctl-bp')!;
    const passkeys: number[] = [];
    sim.bluez.onEvent((e) => {
      if (e.type === 'passkey') passkeys.push(e.passkey);
    });
    const ctl = startPty('bluetoothctl', { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: sim.address });
    try {
      await ctl.waitFor(/Agent registered/);
      ctl.send('scan on');
      await ctl.waitFor(new RegExp(`\\[NEW\\] Device ${bp.address} FK-SIM BP Monitor`));
      ctl.send('devices');
      await ctl.waitFor(new RegExp(`Device ${ox.address} FK-SIM Oximeter`));
      ctl.send('scan off');
      await ctl.waitFor(/Discovery stopped/);

      // A wrong passkey: the instrument refuses, BlueZ says AuthenticationFailed.
      ctl.send(`pair ${bp.address}`);
      await ctl.waitFor(/Enter passkey \(number in 0-999999\):/);
      ctl.send(String((passkeys[0]! + 1) % 1_000_000));
      await ctl.waitFor(/Failed to pair: org\.bluez\.Error\.AuthenticationFailed/);
      // The right one, read off the instrument's display.
      ctl.send(`pair ${bp.address}`);
      await ctl.waitFor(/Enter passkey \(number in 0-999999\):/);
      ctl.send(String(passkeys[1]!));
      await ctl.waitFor(/Pairing successful/);
      ctl.send(`info ${bp.address}`);
      await ctl.waitFor(/Paired: yes\s+Bonded: yes/);
      expect(bp.paired).toBe(true);

      ctl.send(`connect ${ox.address}`);
      await ctl.waitFor(/Connection successful/);
      await ctl.waitFor(new RegExp(`Device ${ox.address} ServicesResolved: yes`));
      ctl.send('menu gatt');
      // By path: the bonded cuff, still connected after pairing, has a Battery Level too.
      ctl.send(`select-attribute ${ox.gatt.pathOf('180f', '2a19')}`);
      await ctl.waitFor(/char[0-9a-f]{4}\]#/);
      ctl.send('read');
      // Battery Level 87 % is one byte, 0x57, shown as a hex dump line.
      await ctl.waitFor(/Attempting to read .*\n.*\b57\b/);

      ctl.send(`select-attribute ${ox.gatt.pathOf('1822', '2a5f')}`);
      ctl.send('notify on');
      await ctl.waitFor(/Notify started/);
      // PLX continuous frames: flags 0x00, then SpO2 and PR as SFLOATs.
      for (let i = 0; i < 3; i++)
        await ctl.waitFor(
          /\[CHG\] Attribute .*char[0-9a-f]{4} Value:\s*\n.*00 [0-9a-f]{2} 00 [0-9a-f]{2} 00/,
        );
      ctl.send('notify off');
      await ctl.waitFor(/Notify stopped/);
      ctl.send('back');
      ctl.send(`disconnect ${ox.address}`);
      await ctl.waitFor(/Successful disconnected/);
      expect(ox.connected).toBe(false);
      ctl.send('quit');
    } finally {
      await ctl.close();
    }
  });
});
