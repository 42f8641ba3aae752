import { CliError, EXIT_USAGE, type CliArgs, type CliIo } from './command.ts';
import { forgetInstrument } from './instruments-forget.ts';
import { listInstruments } from './instruments-list.ts';

/**
 * One `fieldkit instruments <action>`; each lives in its own file and opens what it needs (list
 * and forget the store; pairing, `pair`, the radio).
 */
export type InstrumentsAction = (args: CliArgs, io: CliIo) => Promise<number>;

/** The actions, by name (the usage line in commands.ts lists them). */
export const INSTRUMENTS_ACTIONS: Readonly<Record<string, InstrumentsAction>> = {
  list: listInstruments,
  forget: forgetInstrument,
  // The radio stack loads only for pairing.
  pair: async (args, io) => (await import('./instruments-pair-command.ts')).runInstrumentsPair(args, io),
};

/** The implementation of `fieldkit instruments` (metadata and purpose: commands.ts). */
export async function runInstruments(args: CliArgs, io: CliIo): Promise<number> {
  const name = args.positionals[0] ?? '';
  const action = Object.hasOwn(INSTRUMENTS_ACTIONS, name) ? INSTRUMENTS_ACTIONS[name] : undefined;
  if (!action)
    throw new CliError(
      `unknown instruments action '${name}' (have: ${Object.keys(INSTRUMENTS_ACTIONS).join(', ')})`,
      EXIT_USAGE,
    );
  return action(args, io);
}
