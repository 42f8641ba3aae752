import { findCodec } from '../../ble-devices/codecs/registry.ts';
import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import type { SimInstrumentName } from './commands.ts';

/** The instruments `fieldkit sim` can run, with the streams it listens to. */
const INSTRUMENTS: Record<
  SimInstrumentName,
  {
    readonly streams: ReadonlyArray<{ service: string; char: string; mode: 'notify' | 'indicate' }>;
    create: (o: { rate: number; seed: number; drop: number; corrupt: number }) => SimInstrument;
  }
> = {
  oximeter: {
    streams: [{ service: '1822', char: '2a5f', mode: 'notify' }],
    create: (o) =>
      createSimPulseOximeter({
        id: 'sim-plx-cli',
        rateHz: o.rate,
        seed: o.seed,
        faults: { dropRate: o.drop, corruptRate: o.corrupt },
      }),
  },
  bp: {
    streams: [
      { service: '1810', char: '2a35', mode: 'indicate' },
      { service: '1810', char: '2a36', mode: 'notify' },
    ],
    create: (o) =>
      createSimBpMonitor({
        id: 'sim-bp-cli',
        intervalMs: Math.max(1000, Math.round(1000 / o.rate)),
        stepMs: 100,
        seed: o.seed,
        faults: { dropRate: o.drop, corruptRate: o.corrupt },
      }),
  },
};

function num(args: CliArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = stringFlag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new CliError(`--${name} expects a number in ${min}..${max}, got '${raw}'`, EXIT_USAGE);
  }
  return n;
}

/** The implementation of `fieldkit sim` (metadata and purpose: commands.ts). */
export async function runSim(args: CliArgs, io: CliIo): Promise<number> {
  const name = args.positionals[0]!;
  if (name === 'bluez') return (await import('./sim-bluez-command.ts')).runSimBluez(args, io);
  if (name === 'cms50') return (await import('./sim-cms50.ts')).runSimCms50(args, io);
  const spec = Object.hasOwn(INSTRUMENTS, name) ? INSTRUMENTS[name as SimInstrumentName] : undefined;
  if (!spec)
    throw new CliError(
      `unknown instrument '${name}' (have: ${[...Object.keys(INSTRUMENTS), 'cms50'].join(', ')})`,
      EXIT_USAGE,
    );
  const count = num(args, 'count', 10, 0, 1e9);
  const instrument = spec.create({
    rate: num(args, 'rate', 2, 0.1, 60),
    seed: num(args, 'seed', 1, 0, 2 ** 31),
    drop: num(args, 'drop-rate', 0, 0, 1),
    corrupt: num(args, 'corrupt-rate', 0, 0, 1),
  });
  const transport = new SimTransport([instrument.peripheral]);
  const conn = await transport.connect(asDeviceId(instrument.peripheral.id));
  const started = Date.now();
  let seen = 0;
  let finish = (): void => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  io.stopSignal.addEventListener('abort', () => finish(), { once: true });
  for (const s of spec.streams) {
    const codec = findCodec(s.char);
    await conn.subscribe(s.service, s.char, s.mode, (bytes) => {
      if (count > 0 && seen >= count) return;
      seen++;
      let decoded: unknown;
      try {
        decoded = codec.toJson(codec.decode(bytes));
      } catch (err) {
        if (!(err instanceof CodecError)) throw err;
        decoded = { error: err.message };
      }
      const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
      io.stdout(
        JSON.stringify({
          t_ms: Date.now() - started,
          characteristic: s.char,
          codec: codec.name,
          hex,
          decoded,
        }) + '\n',
      );
      if (count > 0 && seen >= count) finish();
    });
  }
  instrument.start();
  await done;
  instrument.stop();
  await conn.disconnect();
  await transport.close();
  return 0;
}
