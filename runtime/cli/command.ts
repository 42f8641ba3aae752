/** A command's flags: string or boolean, never repeated (kept simple so help and validation stay uniform). */
export type CliOptions = Readonly<
  Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string }>
>;

/** Where a command reads and writes: injected so tests run commands in process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Resolves when the user asks the process to stop (SIGINT/SIGTERM). */
  readonly stopSignal: AbortSignal;
}

/** Parsed flags and positionals as node:util parseArgs returns them. */
export interface CliArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** A command's implementation: returns the process exit code. */
export type CommandRun = (args: CliArgs, io: CliIo) => Promise<number>;

/**
 * One `fieldkit` subcommand: its metadata (name, usage, options), so `--help`, unknown-flag
 * handling and exit code 2 behave the same for every command, and a `load` that imports the
 * implementation only when the command runs. `fieldkit decode` and `--help` therefore never load
 * the store, LMDB or the simulators (measured by `bench startup`'s `cli_decode_ms`).
 */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  /** Positional part of the usage line, e.g. `<characteristic> <hex>`. */
  readonly usage: string;
  readonly options: CliOptions;
  /** One line of help per option name. */
  readonly optionHelp: Readonly<Record<string, string>>;
  readonly positionals: { readonly min: number; readonly max: number };
  /** Imports the implementation (`await import`), after the command line was checked. */
  load(): Promise<CommandRun>;
}

/** The exit code for a bad command line (usage printed). */
export const EXIT_USAGE = 2;

/** Thrown by commands for a user error they already explained; main prints it and exits with `code`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Reads a string flag that parseArgs typed as string. */
export function stringFlag(args: CliArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}
