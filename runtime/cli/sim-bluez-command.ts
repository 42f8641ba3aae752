import { createInterface } from 'node:readline';
import { startSimulatedBluez, type SimBluezEvent, type SimulatedBluez } from '../../sim/bluez/index.ts';
import { buildInstrumentSet, type ClockFault } from '../../sim/bluez/instrument-set.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';

const COMMANDS_HELP = `commands (one per line on stdin):
  list                      instruments with address, link and bond
  drop <id|address>         the instrument drops the link
  lose-bond <id|address>    the instrument forgets its keys (battery swap)
  advertise <id|address> on|off
  restart                   bluetoothd restarts under a new bus owner
`;

function int(args: CliArgs, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(`--${name} expects an integer in ${min}..${max}, got '${raw}'`, EXIT_USAGE);
  return n;
}

function describe(e: SimBluezEvent, name: (address: string) => string): string {
  switch (e.type) {
    case 'passkey':
      return `${e.name} (${e.address}) shows passkey ${String(e.passkey).padStart(6, '0')}`;
    case 'disconnected':
      return `${name(e.address)} disconnected: ${e.reason}`;
    case 'pairing-failed':
      return `${name(e.address)} pairing failed: ${e.error}`;
    case 'truncated':
      return `${name(e.address)} ${e.characteristic}: ${e.length}-byte notification cut to ${e.delivered} (ATT MTU)`;
    default:
      return `${name(e.address)} ${e.type}`;
  }
}

/**
 * `fieldkit sim bluez`: a simulated bluetoothd with simulated instruments on a private system
 * bus. Prints the bus address to hand to any BlueZ client (node-ble, bluetoothctl, gdbus) through
 * DBUS_SYSTEM_BUS_ADDRESS, then what happens (passkeys shown, links, pairings); faults are
 * injected with flags at start and with commands on stdin while it runs.
 */
export async function runSimBluez(args: CliArgs, io: CliIo): Promise<number> {
  const kinds = (stringFlag(args, 'instruments') ?? 'oximeter,bp').split(',').map((s) => s.trim());
  const clock = stringFlag(args, 'clock');
  if (clock !== undefined && !['1970', '2019', 'utc'].includes(clock))
    throw new CliError(`--clock expects 1970, 2019 or utc, got '${clock}'`, EXIT_USAGE);
  const faults = (stringFlag(args, 'faults') ?? '').split(',').filter(Boolean);
  const unknownFault = faults.find((f) => !['connect-abort', 'no-resolve', 'reject-passkey'].includes(f));
  if (unknownFault) throw new CliError(`unknown fault '${unknownFault}'`, EXIT_USAGE);
  const passkey = int(args, 'passkey', 0, 999_999);
  const json = args.values.json === true;
  let set;
  try {
    set = buildInstrumentSet(kinds, {
      seed: int(args, 'seed', 0, 2 ** 31) ?? 1,
      utcOffsetMinutes: -new Date().getTimezoneOffset(),
      oximeterRateHz: Number(stringFlag(args, 'rate') ?? 2),
      ...(clock ? { clock: clock as ClockFault } : {}),
      ...(passkey === undefined ? {} : { passkey }),
    });
  } catch (err) {
    throw new CliError((err as Error).message, EXIT_USAGE);
  }
  let sim: SimulatedBluez;
  try {
    sim = await startSimulatedBluez({
      devices: set.map((s) => s.device),
      temporaryTimeoutMs: int(args, 'temporary-timeout-ms', 100, 3_600_000) ?? 30_000,
    });
  } catch (err) {
    throw new CliError(`cannot start the simulated BlueZ: ${(err as Error).message}`, 1);
  }
  for (const d of sim.bluez.devices) {
    if (faults.includes('connect-abort')) d.faults.connectAborts = 1_000_000;
    if (faults.includes('no-resolve')) d.faults.servicesNeverResolve = true;
    if (faults.includes('reject-passkey')) d.faults.rejectPasskey = true;
  }
  for (const s of set) s.instrument.start();
  const print = (obj: Record<string, unknown>, text: string): void =>
    io.stdout(json ? `${JSON.stringify(obj)}\n` : `${text}\n`);
  const name = (address: string): string => {
    const d = sim.bluez.device(address);
    return d ? `${d.name} [${d.options.peripheral.id}]` : address;
  };
  const devices = sim.bluez.devices.map((d) => ({
    id: d.options.peripheral.id,
    address: d.address,
    name: d.name,
  }));
  print(
    { event: 'ready', address: sim.address, devices },
    `Simulated BlueZ 5.66 is running.\n  export DBUS_SYSTEM_BUS_ADDRESS=${sim.address}\n` +
      devices.map((d) => `  ${d.address}  ${d.name}  [${d.id}]`).join('\n') +
      `\nThen: bluetoothctl, or fieldkit start --ble bluez. Stop with Ctrl-C.\n${COMMANDS_HELP}`,
  );
  sim.bluez.onEvent((e) => print({ event: e.type, ...e }, describe(e, name)));
  const lines = createInterface({ input: io.stdin, terminal: false });
  lines.on('line', (line) => {
    void control(sim, line.trim().split(/\s+/), (obj, text) => print(obj, text));
  });
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) resolve();
    io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
  });
  lines.close();
  for (const s of set) s.instrument.stop();
  await sim.stop();
  return 0;
}

async function control(
  sim: SimulatedBluez,
  [cmd, target, arg]: string[],
  print: (obj: Record<string, unknown>, text: string) => void,
): Promise<void> {
  if (!cmd) return;
  if (cmd === 'list') {
    for (const d of sim.bluez.devices)
      print(
        {
          event: 'device',
          id: d.options.peripheral.id,
          address: d.address,
          connected: d.connected,
          paired: d.paired,
        },
        `${d.address}  ${d.name}  connected=${d.connected} paired=${d.paired} known=${d.exported}`,
      );
    return;
  }
  if (cmd === 'restart') {
    await sim.bluez.restart();
    print({ event: 'restarted', owner: sim.bluez.owner }, `bluetoothd restarted as ${sim.bluez.owner}`);
    return;
  }
  const d = target ? sim.bluez.device(target) : undefined;
  if (!d) {
    print(
      { event: 'error', message: `no instrument '${target ?? ''}'` },
      `no instrument '${target ?? ''}'\n${COMMANDS_HELP}`,
    );
    return;
  }
  if (cmd === 'drop') d.dropLink('dropped from the command line');
  else if (cmd === 'lose-bond') d.loseBond();
  else if (cmd === 'advertise') d.advertising = arg !== 'off';
  else {
    print(
      { event: 'error', message: `unknown command '${cmd}'` },
      `unknown command '${cmd}'\n${COMMANDS_HELP}`,
    );
    return;
  }
  print({ event: 'done', command: cmd, address: d.address }, `${cmd} ${d.address}: done`);
}
