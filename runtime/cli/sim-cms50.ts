import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CMS50_LINE } from '../../ble-devices/codecs/contec/cms50-link.ts';
import type { Cms50Protocol, SimCms50Faults } from '../../sim/serial/cms50-device.ts';
import { Cms50Sim } from '../../sim/serial/cms50-sim.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';

function num(args: CliArgs, name: string, min: number, max: number): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new CliError(`--${name} expects a number in ${min}..${max}, got '${raw}'`, EXIT_USAGE);
  }
  return n;
}

/**
 * `fieldkit sim cms50`: a simulated Contec CMS50 on a real pty pair (socat). Prints the path to
 * open as the first line of stdout (`fieldkit start --serial PATH`, or any serial program at the
 * protocol's line settings), then one JSON status line on stderr every 10 s, until Ctrl-C or
 * `--duration`. A developer without the oximeter can run every serial flow, faults included.
 */
export async function runSimCms50(args: CliArgs, io: CliIo): Promise<number> {
  const protocol = (stringFlag(args, 'protocol') ?? '5byte') as Cms50Protocol;
  if (protocol !== '5byte' && protocol !== 'v7') {
    throw new CliError(`--protocol expects 5byte or v7, got '${String(protocol)}'`, EXIT_USAGE);
  }
  const noiseRate = num(args, 'noise', 0, 1);
  const partialRate = num(args, 'partial', 0, 1);
  const baudRate = num(args, 'baud', 300, 4_000_000);
  const duration = num(args, 'duration', 0.1, 86_400);
  const faults: SimCms50Faults = {
    ...(noiseRate !== undefined ? { noiseRate } : {}),
    ...(partialRate !== undefined ? { partialRate } : {}),
    ...(baudRate !== undefined ? { baudRate } : {}),
    ...(args.values['keepalive-loss'] === true ? { keepAliveLoss: true } : {}),
    ...(args.values['no-device'] === true ? { noDevice: true } : {}),
  };
  const given = stringFlag(args, 'dir');
  const dir = given ?? mkdtempSync(join(tmpdir(), 'fieldkit-sim-'));
  const name = stringFlag(args, 'name');
  const sim = await Cms50Sim.start(
    { protocol, seed: num(args, 'seed', 0, 2 ** 31) ?? 1, rateHz: num(args, 'rate', 1, 120) ?? 60, faults },
    { dir, ...(name !== undefined ? { name } : {}) },
  ).catch((err: unknown) => {
    throw new CliError(`cannot start the simulated CMS50: ${(err as Error).message}`);
  });
  const line = CMS50_LINE[protocol === 'v7' ? '9byte' : '5byte'];
  io.stdout(`${sim.kitPath}\n`);
  io.stderr(
    `simulated CMS50 (${protocol}) ready: open ${sim.kitPath} at ${line.baudRate} ${line.dataBits}` +
      `${line.parity[0]!.toUpperCase()}${line.stopBits}` +
      `${Object.keys(faults).length ? `, faults ${JSON.stringify(faults)}` : ''}; Ctrl-C to stop\n`,
  );
  const status = setInterval(() => {
    io.stderr(`${JSON.stringify({ t: new Date().toISOString(), device: sim.device?.stats ?? null })}\n`);
  }, 10_000);
  await new Promise<void>((resolve) => {
    if (io.stopSignal.aborted) return resolve();
    io.stopSignal.addEventListener('abort', () => resolve(), { once: true });
    if (duration !== undefined) setTimeout(resolve, duration * 1000);
  });
  clearInterval(status);
  await sim.stop();
  if (given === undefined) rmSync(dir, { recursive: true, force: true });
  return 0;
}
