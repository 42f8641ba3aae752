import { CliError, EXIT_USAGE, type CliArgs, type CliCommand, type CliIo } from './command.ts';
import { forgetInstrument } from './instruments-forget.ts';
import { listInstruments } from './instruments-list.ts';
import {
  resolveStoreAccess,
  STORE_ACCESS_HELP,
  STORE_ACCESS_OPTIONS,
  type StoreAccess,
} from './store-access.ts';

/** One `fieldkit instruments <action>`; each lives in its own file (pairing adds `pair`). */
export type InstrumentsAction = (args: CliArgs, io: CliIo, access: StoreAccess) => Promise<number>;

/** The actions, by name. */
export const INSTRUMENTS_ACTIONS: Readonly<Record<string, InstrumentsAction>> = {
  list: listInstruments,
  forget: forgetInstrument,
};

/**
 * `fieldkit instruments list|forget`: the instruments the kit remembers (model, serial,
 * firmware, bond, battery, last record number, last seen), and forgetting one, from the laptop.
 */
export const instrumentsCommand: CliCommand = {
  name: 'instruments',
  summary: `Remembered instruments: ${Object.keys(INSTRUMENTS_ACTIONS).join(' | ')}`,
  usage: `<${Object.keys(INSTRUMENTS_ACTIONS).join('|')}> [address]`,
  options: { ...STORE_ACCESS_OPTIONS, json: { type: 'boolean' } },
  optionHelp: { ...STORE_ACCESS_HELP, json: 'list: print JSON instead of a table' },
  positionals: { min: 1, max: 2 },
  async run(args, io) {
    const name = args.positionals[0] ?? '';
    const action = INSTRUMENTS_ACTIONS[name];
    if (!action)
      throw new CliError(
        `unknown instruments action '${name}' (have: ${Object.keys(INSTRUMENTS_ACTIONS).join(', ')})`,
        EXIT_USAGE,
      );
    return action(args, io, await resolveStoreAccess(args, io));
  },
};
