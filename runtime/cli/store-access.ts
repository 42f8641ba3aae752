import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo, type CliOptions } from './command.ts';
import { promptSecret } from './prompt.ts';

/** The passphrase `--dev` uses. Never for patient data: the kit says so loudly every time. */
export const DEV_PASSPHRASE = 'fieldkit-development-only';

/** Flags every store-opening command accepts, so the CLI works on a kit's data without the server. */
export const STORE_ACCESS_OPTIONS: CliOptions = {
  data: { type: 'string' },
  dev: { type: 'boolean' },
};

/** Help lines for {@link STORE_ACCESS_OPTIONS}. */
export const STORE_ACCESS_HELP: Readonly<Record<string, string>> = {
  data: 'Data directory (default ./fieldkit-data, or FIELDKIT_DATA)',
  dev: 'Use the built-in development passphrase (simulation and demos only, never patient data)',
};

/** Where the store is and how to unlock it. `passphrase` must never be logged. */
export interface StoreAccess {
  readonly path: string;
  readonly passphrase: string;
  readonly exists: boolean;
  readonly dev: boolean;
}

/** True when `path` already holds a store (anything in it). */
export function storeDirExists(path: string): boolean {
  return existsSync(path) && readdirSync(path).length > 0;
}

/**
 * Resolves the data directory (`--data` > FIELDKIT_DATA > ./fieldkit-data) and the passphrase
 * (FIELDKIT_PASSPHRASE > `--dev` > terminal prompt, confirmed twice for a new store).
 */
export async function resolveStoreAccess(args: CliArgs, io: CliIo): Promise<StoreAccess> {
  const path = resolve(stringFlag(args, 'data') ?? io.env.FIELDKIT_DATA ?? 'fieldkit-data');
  const exists = storeDirExists(path);
  const fromEnv = io.env.FIELDKIT_PASSPHRASE;
  if (fromEnv !== undefined && fromEnv !== '') return { path, passphrase: fromEnv, exists, dev: false };
  if (args.values.dev === true) {
    io.stderr(
      '\n' +
        '!!! DEVELOPMENT PASSPHRASE IN USE (--dev) !!!\n' +
        `!!! The store in ${path} is encrypted with a publicly known passphrase.\n` +
        '!!! Use it for simulated instruments only, never for patient data.\n\n',
    );
    return { path, passphrase: DEV_PASSPHRASE, exists, dev: true };
  }
  if (io.stdin.isTTY !== true) {
    throw new CliError(
      'no passphrase: set FIELDKIT_PASSPHRASE, run in a terminal to be asked, or pass --dev for a simulation-only store',
      EXIT_USAGE,
    );
  }
  const passphrase = await promptSecret(
    io,
    exists ? `Passphrase for ${path}: ` : `New store in ${path}. Choose a passphrase: `,
  );
  if (passphrase.length === 0) throw new CliError('empty passphrase', EXIT_USAGE);
  if (!exists) {
    const again = await promptSecret(io, 'Repeat the passphrase: ');
    if (again !== passphrase) throw new CliError('the two passphrases differ; nothing was created', 1);
  }
  return { path, passphrase, exists, dev: false };
}
