import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CliError, EXIT_USAGE, type CliArgs, type CliIo } from './command.ts';

const BENCH_DIR = new URL('../../bench/', import.meta.url);

/** A benchmark module: `bench/<name>.bench.ts` default-exports this. */
export type BenchRun = (opts: { quick: boolean }) => Promise<Record<string, number>>;

/** Names of the benchmarks present in bench/. */
export function benchNames(): string[] {
  return readdirSync(fileURLToPath(BENCH_DIR))
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => f.slice(0, -'.bench.ts'.length))
    .sort();
}

/** The implementation of `fieldkit bench` (metadata and purpose: commands.ts). */
export async function runBench(args: CliArgs, io: CliIo): Promise<number> {
  const known = benchNames();
  const names = args.positionals.length > 0 ? [...args.positionals] : known;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0)
    throw new CliError(`unknown benchmark '${unknown.join("', '")}' (have: ${known.join(', ')})`, EXIT_USAGE);
  for (const name of names) {
    if (args.values.json !== true) io.stderr(`bench ${name}: running...\n`);
    const mod = (await import(new URL(`${name}.bench.ts`, BENCH_DIR).href)) as { default: BenchRun };
    const metrics = await mod.default({ quick: args.values.quick === true });
    if (args.values.json === true) io.stdout(JSON.stringify({ bench: name, metrics }) + '\n');
    else
      io.stdout(
        `${name}\n${Object.entries(metrics)
          .map(([k, v]) => `  ${k.padEnd(28)} ${v}`)
          .join('\n')}\n`,
      );
  }
  return 0;
}
