import { createInterface } from 'node:readline';
import { startSimulatedBluez } from '../../sim/bluez/index.ts';
import { bluezDevices, fleet, now, recordEmits, type Emitted } from './fleet.ts';

/**
 * The simulated BlueZ and the benchmark fleet in their own process, so the kit's CPU share is the
 * kit's alone. Lines on stdout (JSON): `ready` with the bus address and id -> address map, then
 * answers to the commands read on stdin: `record on|off`, `drop <address>`, `dump`, `quit`.
 */
const instruments = fleet();
let recording = false;
const emitted: Emitted[] = [];
recordEmits(instruments, (e) => {
  if (recording) emitted.push(e);
});
for (const i of instruments) i.start();
const sim = await startSimulatedBluez({ devices: bluezDevices(instruments) });
const say = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
say({
  event: 'ready',
  address: sim.address,
  devices: Object.fromEntries(sim.bluez.devices.map((d) => [d.options.peripheral.id, d.address])),
});
createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, arg] = line.trim().split(/\s+/);
  if (cmd === 'record') {
    recording = arg === 'on';
    say({ event: 'recording', on: recording });
  } else if (cmd === 'drop') {
    const d = sim.bluez.device(arg ?? '');
    const at = now();
    d?.dropLink('benchmark drop');
    say({ event: 'dropped', address: arg, at });
  } else if (cmd === 'dump') {
    say({ event: 'dump', emitted });
  } else if (cmd === 'quit') {
    for (const i of instruments) i.stop();
    void sim.stop().then(() => process.exit(0));
  }
});
