import { parseArgs } from 'node:util';
import { CliError, EXIT_USAGE, type CliCommand, type CliIo } from './command.ts';
import { COMMANDS } from './commands.ts';
import { commandHelp, mainHelp } from './help.ts';
import { packageVersion } from './version.ts';

async function runCommand(cmd: CliCommand, argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    const result = parseArgs({
      args: [...argv],
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    parsed = { values: result.values, positionals: result.positionals };
  } catch (err) {
    io.stderr(`fieldkit ${cmd.name}: ${(err as Error).message}\n\n${commandHelp(cmd)}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help === true) {
    io.stdout(commandHelp(cmd));
    return 0;
  }
  const n = parsed.positionals.length;
  if (n < cmd.positionals.min || n > cmd.positionals.max) {
    io.stderr(`fieldkit ${cmd.name}: expected ${cmd.usage || 'no arguments'}\n\n${commandHelp(cmd)}`);
    return EXIT_USAGE;
  }
  try {
    const run = await cmd.load();
    return await run({ values: parsed.values, positionals: parsed.positionals }, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`fieldkit ${cmd.name}: ${err.message}\n`);
      if (err.exitCode === EXIT_USAGE) io.stderr(`\n${commandHelp(cmd)}`);
      return err.exitCode;
    }
    throw err;
  }
}

/**
 * Entry point of the `fieldkit` CLI: dispatches to a subcommand and returns the exit code
 * (0 ok, 1 failure explained on stderr, 2 bad command line with usage).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? io.stderr : io.stdout)(mainHelp(COMMANDS, packageVersion()));
    return first === undefined ? EXIT_USAGE : 0;
  }
  const cmd = COMMANDS.find((c) => c.name === first);
  if (!cmd) {
    io.stderr(`fieldkit: unknown command '${first}'\n\n${mainHelp(COMMANDS, packageVersion())}`);
    return EXIT_USAGE;
  }
  return runCommand(cmd, rest, io);
}
