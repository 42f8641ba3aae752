import { planCuts, playCuts } from '../../sim/net/cut-schedule.ts';
import { createNetLink, sweepStaleNamespaces } from '../../sim/net/net-link.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';

function num(args: CliArgs, name: string, fallback: number, min: number, max: number): number {
  const raw = stringFlag(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new CliError(`--${name} expects a number in ${min}..${max}, got '${raw}'`, EXIT_USAGE);
  return n;
}

/**
 * `fieldkit sim net`: a bad link to reproduce by hand. Builds two network namespaces joined by a
 * veth pair (a 10.77.0.1, b 10.77.0.2), shaped with tbf each way and random loss on each
 * receiver, optionally cut at random; prints one JSON line per event (the first one names the
 * namespaces: run the hub with `ip netns exec <a> ...` and the kit in `<b>`), until Ctrl-C or
 * `--duration`, then removes everything. `--sweep` only removes namespaces left by dead runs.
 */
export async function runSimNet(args: CliArgs, io: CliIo): Promise<number> {
  if (args.values.sweep === true) {
    const removed = await sweepStaleNamespaces();
    io.stdout(`${JSON.stringify({ event: 'swept', removed })}\n`);
    return 0;
  }
  const rateKbit = num(args, 'rate-kbit', 256, 8, 10_000_000);
  const loss = num(args, 'loss', 0, 0, 1);
  const cuts = num(args, 'cuts', 0, 0, 10_000);
  const cutMin = num(args, 'cut-min-s', 5, 0.1, 86_400);
  const cutMax = num(args, 'cut-max-s', 60, cutMin, 86_400);
  const upMin = num(args, 'up-min-s', 10, 0.1, 86_400);
  const upMax = num(args, 'up-max-s', 60, upMin, 86_400);
  const duration =
    stringFlag(args, 'duration') === undefined ? undefined : num(args, 'duration', 0, 0.1, 1e7);
  const shaping = { rateKbit, loss };
  const link = await createNetLink({ aToB: shaping, bToA: shaping }).catch((error: unknown) => {
    throw new CliError(`cannot build the simulated link: ${(error as Error).message}`);
  });
  const line = (o: object): void => io.stdout(`${JSON.stringify({ t: new Date().toISOString(), ...o })}\n`);
  line({
    event: 'up',
    a: link.a,
    b: link.b,
    rateKbit,
    loss,
    run: `ip netns exec ${link.a.ns} <command>   (or ${link.b.ns})`,
  });
  const stop = new AbortController();
  io.stopSignal.addEventListener('abort', () => stop.abort(), { once: true });
  const timer = duration === undefined ? undefined : setTimeout(() => stop.abort(), duration * 1000);
  const plan = planCuts({
    count: cuts,
    minDownMs: cutMin * 1000,
    maxDownMs: cutMax * 1000,
    minUpMs: upMin * 1000,
    maxUpMs: upMax * 1000,
    seed: num(args, 'seed', 1, 0, 2 ** 31),
  });
  try {
    await playCuts(link, plan, {
      signal: stop.signal,
      onEvent: (e) => line({ event: e.type, index: e.index }),
    });
    if (!stop.signal.aborted) {
      line({ event: 'cuts-done' });
      await new Promise<void>((resolve) =>
        stop.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } finally {
    clearTimeout(timer);
    await link.close();
    line({ event: 'down' });
  }
  return 0;
}
