import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../runtime/cli/main.ts';
import { SimPeripheral } from '../sim/gatt/sim-peripheral.ts';
import { startSimulatedBluez, type SimulatedBluez } from '../sim/bluez/index.ts';
import { memoryIo } from './helpers/memory-io.ts';

/** `fieldkit instruments pair` against the simulated BlueZ, answering on stdin as a person would. */
describe('fieldkit instruments pair', () => {
  let sim: SimulatedBluez;
  beforeAll(async () => {
    const cuff = (id: string, name: string): SimPeripheral =>
      new SimPeripheral(id, name, {
        '1810': { '2a35': { properties: ['indicate'], security: 'encrypted' } },
      });
    sim = await startSimulatedBluez({
      devices: [
        { peripheral: cuff('cli-cuff-1', 'Cuff one'), pairing: 'passkey-entry', passkey: 424242 },
        { peripheral: cuff('cli-cuff-2', 'Cuff two'), pairing: 'numeric-comparison', passkey: 123456 },
      ],
      connectMs: 5,
      resolveMs: 5,
    });
  });
  afterAll(async () => sim.stop());

  function session(argv: string[]) {
    const stdin = new PassThrough();
    const io = { ...memoryIo({ DBUS_SYSTEM_BUS_ADDRESS: sim.address }), stdin };
    const exit = main(['instruments', 'pair', ...argv, '--scan-ms', '200'], io);
    return { io, stdin, exit };
  }

  it('pairs the addressed instrument with the passkey typed on stdin', async () => {
    const one = sim.bluez.device('cli-cuff-1')!;
    const { io, stdin, exit } = session([one.address]);
    await expect.poll(() => io.out(), { timeout: 5000 }).toMatch(/Passkey shown on Cuff one: $/);
    stdin.write('424242\n');
    expect(await exit).toBe(0);
    expect(io.out()).toMatch(new RegExp(`Paired and bonded: Cuff one \\(${one.address}\\)`));
    expect(one.paired).toBe(true);
  });

  it('lists what it heard, takes a number, and confirms the comparison number', async () => {
    const { io, stdin, exit } = session([]);
    await expect.poll(() => io.out(), { timeout: 5000 }).toMatch(/Pair which one\? \[1-\d\] $/);
    const n = /(\d+)\. Cuff two/.exec(io.out())![1]!;
    stdin.write(`${n}\n`);
    await expect.poll(() => io.out()).toMatch(/Does Cuff two show 123456\? \[y\/N\] $/);
    stdin.write('y\n');
    expect(await exit).toBe(0);
    expect(sim.bluez.device('cli-cuff-2')!.paired).toBe(true);
  });

  it("a wrong passkey exits 1 with BlueZ's reason; no BlueZ at all exits 1 with a hint", async () => {
    sim.bluez.devices[0]!.remove(); // forget the bond so it pairs again
    const one = sim.bluez.device('cli-cuff-1')!;
    const { io, stdin, exit } = session([one.address]);
    await expect.poll(() => io.out(), { timeout: 5000 }).toMatch(/Passkey shown/);
    stdin.write('000001\n');
    expect(await exit).toBe(1);
    expect(io.err()).toMatch(/pairing failed: .*AuthenticationFailed/);
    const none = memoryIo({ DBUS_SYSTEM_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(await main(['instruments', 'pair'], none)).toBe(1);
    expect(none.err()).toMatch(/BlueZ unavailable.*\n.*fieldkit sim bluez/);
  });
});
