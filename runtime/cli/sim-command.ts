import { findCodec } from '../../ble-devices/codecs/registry.ts';
import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { asDeviceId, type GattConnection } from '../../ble-devices/transport.ts';
import {
  SIM_KINDS,
  SIM_STREAMS,
  createSimInstrument,
  type SimKind,
} from '../../sim/instruments/catalogue.ts';
import { CLOCK_MODES, type ClockMode } from '../../sim/instruments/device-clock.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { SIM_INSTRUMENT_NAMES } from './commands.ts';

function num(args: CliArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = stringFlag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new CliError(`--${name} expects a number in ${min}..${max}, got '${raw}'`, EXIT_USAGE);
  }
  return n;
}

function optionalNum(args: CliArgs, name: string, min: number, max: number): number | undefined {
  return stringFlag(args, name) === undefined ? undefined : num(args, name, 0, min, max);
}

function oneOf<T extends string>(args: CliArgs, name: string, allowed: readonly T[]): T | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(raw))
    throw new CliError(`--${name} expects one of ${allowed.join(', ')}, got '${raw}'`, EXIT_USAGE);
  return raw as T;
}

const hex = (bytes: Uint8Array): string =>
  [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');

/** The RACP request `fieldkit sim glucose` sends: report all stored records (01 01). */
const REPORT_ALL = Uint8Array.of(0x01, 0x01);

/** The implementation of `fieldkit sim` (metadata and purpose: commands.ts). */
export async function runSim(args: CliArgs, io: CliIo): Promise<number> {
  const name = args.positionals[0]!;
  if (name === 'bluez') return (await import('./sim-bluez-command.ts')).runSimBluez(args, io);
  if (name === 'net') return (await import('./sim-net-command.ts')).runSimNet(args, io);
  if (name === 'cms50') return (await import('./sim-cms50.ts')).runSimCms50(args, io);
  if (!(SIM_KINDS as readonly string[]).includes(name))
    throw new CliError(
      `unknown instrument '${name}' (have: ${[...SIM_INSTRUMENT_NAMES, 'cms50', 'bluez', 'net'].join(', ')})`,
      EXIT_USAGE,
    );
  const kind = name as SimKind;
  const glucose = kind === 'glucose';
  const count = num(args, 'count', glucose ? 0 : 10, 0, 1e9);
  const disconnectAfter = optionalNum(args, 'disconnect-after', 1, 1e9);
  const records = optionalNum(args, 'records', 0, 0xffff);
  const racpDropAfter = optionalNum(args, 'racp-drop-after', 1, 0xffff);
  const battery = optionalNum(args, 'battery', 0, 100);
  const clock = oneOf<ClockMode>(args, 'clock', CLOCK_MODES);
  const resend = oneOf(args, 'resend', ['new', 'all'] as const);
  const instrument = createSimInstrument({
    kind,
    id: `sim-${kind}-cli`,
    rate: num(args, 'rate', 2, 0.1, 60),
    seed: num(args, 'seed', 1, 0, 2 ** 31),
    faults: {
      dropRate: num(args, 'drop-rate', 0, 0, 1),
      corruptRate: num(args, 'corrupt-rate', 0, 0, 1),
      ...(disconnectAfter === undefined ? {} : { disconnectAfter }),
    },
    utcOffsetMinutes: -new Date().getTimezoneOffset(),
    ...(clock === undefined ? {} : { clock }),
    ...(records === undefined ? {} : { records }),
    ...(racpDropAfter === undefined ? {} : { racpDropAfter }),
    ...(resend === undefined ? {} : { resend }),
    ...(battery === undefined ? {} : { battery }),
  });
  const transport = new SimTransport([instrument.peripheral]);
  const conn: GattConnection = await transport.connect(asDeviceId(instrument.peripheral.id));
  const started = Date.now();
  let seen = 0;
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  io.stopSignal.addEventListener('abort', () => finish(), { once: true });
  const offLost = conn.onDisconnect((reason) => {
    io.stdout(JSON.stringify({ t_ms: Date.now() - started, event: 'link-lost', reason }) + '\n');
    finish();
  });
  for (const s of SIM_STREAMS[kind]) {
    const codec = findCodec(s.char);
    const print = (bytes: Uint8Array): void => {
      if (count > 0 && seen >= count) return;
      seen++;
      let decoded: unknown;
      try {
        decoded = codec.toJson(codec.decode(bytes));
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        decoded = { error: err.message };
      }
      io.stdout(
        JSON.stringify({
          t_ms: Date.now() - started,
          characteristic: s.char,
          codec: codec.name,
          hex: hex(bytes),
          decoded,
        }) + '\n',
      );
      // The meter's final RACP response (op 0x06) ends a glucose session.
      if (glucose && count === 0 && s.char === '2a52' && bytes[0] === 0x06) finish();
      if (count > 0 && seen >= count) finish();
    };
    try {
      await conn.subscribe(s.service, s.char, s.mode, print);
    } catch (err) {
      if (!s.optional) throw err;
    }
  }
  instrument.start();
  if (glucose) await conn.write('1808', '2a52', REPORT_ALL);
  await done;
  offLost();
  instrument.stop();
  await conn.disconnect();
  await transport.close();
  return 0;
}
