import { findCodec } from '../../ble-devices/codecs/registry.ts';
import { CodecError } from '../../ble-devices/codecs/errors.ts';
import { asDeviceId } from '../../ble-devices/transport.ts';
import { createSimBpMonitor } from '../../sim/instruments/bp-monitor.ts';
import { createSimPulseOximeter } from '../../sim/instruments/pulse-oximeter.ts';
import type { SimInstrument } from '../../sim/instruments/sim-instrument.ts';
import { SimTransport } from '../../sim/transport/sim-transport.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliCommand } from './command.ts';
import { CMS50_OPTION_HELP, CMS50_OPTIONS } from './sim-cms50-options.ts';

/** The instruments `fieldkit sim` can run, with the streams it listens to. */
const INSTRUMENTS: Record<
  string,
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

/**
 * `fieldkit sim <instrument>`: runs one simulated instrument and prints what it sends, one JSON
 * line per frame (hex bytes, and the decoded value or the codec's typed error), so a developer
 * with no hardware can see, script and pipe exactly the bytes the kit receives, faults included.
 */
export const simCommand: CliCommand = {
  name: 'sim',
  summary: `Run a simulated instrument (${Object.keys(INSTRUMENTS).join(', ')}) and print its frames as JSON lines, or a CMS50 on a pty (cms50)`,
  usage: '<instrument>',
  options: {
    count: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    'drop-rate': { type: 'string' },
    'corrupt-rate': { type: 'string' },
    ...CMS50_OPTIONS,
  },
  optionHelp: {
    count: 'Stop after this many frames (default 10, 0 = until Ctrl-C)',
    rate: 'Frames (oximeter) or measurements (bp) per second (default 2)',
    seed: 'Random seed: the same seed gives the same session (default 1)',
    'drop-rate': 'Probability 0..1 that a frame is lost on air',
    'corrupt-rate': 'Probability 0..1 that a frame arrives truncated',
    ...CMS50_OPTION_HELP,
  },
  positionals: { min: 1, max: 1 },
  async run(args, io) {
    const name = args.positionals[0]!;
    if (name === 'cms50') return (await import('./sim-cms50.ts')).runSimCms50(args, io);
    const spec = INSTRUMENTS[name];
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
  },
};
