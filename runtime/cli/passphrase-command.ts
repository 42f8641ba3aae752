import {
  acquireKitLock,
  describeKitHolder,
  kitLockHolder,
  resetPassphraseWithRecovery,
  type KitLock,
  StoreError,
} from '../../store/index.ts';
import { CliError, EXIT_USAGE, stringFlag, type CliArgs, type CliIo } from './command.ts';
import { openStoreForCli } from './open-store.ts';
import { promptSecret } from './prompt.ts';
import { resolveStoreAccess, storeDirExists } from './store-access.ts';
import { resolve } from 'node:path';

/** The audit actor of key changes made from the command line. */
const ACTOR = 'cli-passphrase';

/** A secret from the environment (scripts) or, in a terminal, asked for (twice when `confirm`). */
async function secret(io: CliIo, envName: string, question: string, confirm: boolean): Promise<string> {
  const fromEnv = io.env[envName];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (io.stdin.isTTY !== true)
    throw new CliError(`no input: set ${envName} or run in a terminal to be asked`, EXIT_USAGE);
  const answer = await promptSecret(io, question);
  if (answer.length === 0) throw new CliError('empty answer; nothing was changed', EXIT_USAGE);
  if (confirm && (await promptSecret(io, 'Repeat it: ')) !== answer)
    throw new CliError('the two entries differ; nothing was changed', 1);
  return answer;
}

/** Refuses while a kit runs on the directory: two processes rewriting the key header race. */
function refuseWhileKitRuns(path: string): void {
  const holder = kitLockHolder(path);
  if (holder) throw new CliError(describeKitHolder(path, holder), 1);
}

async function change(args: CliArgs, io: CliIo): Promise<number> {
  const access = await resolveStoreAccess(args, io);
  refuseWhileKitRuns(access.path);
  const store = await openStoreForCli(access, ACTOR, false);
  let lock: KitLock | undefined;
  try {
    lock = acquireKitLock(access.path, 'passphrase');
    const next = await secret(io, 'FIELDKIT_NEW_PASSPHRASE', 'New passphrase: ', true);
    await store.changePassphrase(next);
    io.stdout(`passphrase changed for ${access.path} (records untouched; recorded in the audit log)\n`);
    return 0;
  } finally {
    await store.close();
    lock?.release();
  }
}

async function recoveryKey(args: CliArgs, io: CliIo): Promise<number> {
  const access = await resolveStoreAccess(args, io);
  refuseWhileKitRuns(access.path);
  const store = await openStoreForCli(access, ACTOR, false);
  let lock: KitLock | undefined;
  try {
    lock = acquireKitLock(access.path, 'passphrase');
    const key = await store.createRecoveryKey();
    io.stdout(
      `recovery key for ${access.path} (shown once, never stored; any earlier one no longer works):\n\n` +
        `  ${key}\n\n` +
        'Write it on paper and keep it apart from the kit. With it, a forgotten passphrase is reset by\n' +
        '`fieldkit passphrase reset --recovery-key`.\n',
    );
    return 0;
  } finally {
    await store.close();
    lock?.release();
  }
}

async function reset(args: CliArgs, io: CliIo): Promise<number> {
  if (args.values['recovery-key'] !== true)
    throw new CliError(
      '`passphrase reset` needs --recovery-key (the only way to reset a lost passphrase)',
      EXIT_USAGE,
    );
  const path = resolve(stringFlag(args, 'data') ?? io.env.FIELDKIT_DATA ?? 'fieldkit-data');
  if (!storeDirExists(path)) throw new CliError(`no store in ${path}`, 1);
  refuseWhileKitRuns(path);
  const key = await secret(
    io,
    'FIELDKIT_RECOVERY_KEY',
    'Recovery key (64 hex digits, dashes allowed): ',
    false,
  );
  const next = await secret(io, 'FIELDKIT_NEW_PASSPHRASE', 'New passphrase: ', true);
  try {
    await resetPassphraseWithRecovery(path, key, next, undefined, ACTOR);
  } catch (err) {
    if (err instanceof StoreError && err.code === 'wrong_passphrase')
      throw new CliError('wrong recovery key for this store; nothing was changed', 1);
    if (err instanceof StoreError) throw new CliError(`${err.message} Nothing was changed.`, 1);
    throw err;
  }
  io.stdout(`passphrase reset for ${path} with the recovery key (recorded in the audit log)\n`);
  return 0;
}

/** The implementation of `fieldkit passphrase` (metadata and purpose: commands.ts). */
export async function runPassphrase(args: CliArgs, io: CliIo): Promise<number> {
  switch (args.positionals[0]) {
    case 'change':
      return change(args, io);
    case 'recovery-key':
      return recoveryKey(args, io);
    case 'reset':
      return reset(args, io);
    default:
      throw new CliError(
        `unknown passphrase action '${args.positionals[0] ?? ''}' (have: change, recovery-key, reset)`,
        EXIT_USAGE,
      );
  }
}
