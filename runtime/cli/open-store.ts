import { openStore, StoreError, type BackgroundErrorHandler, type RecordStore } from '../../store/index.ts';
import { CliError } from './command.ts';
import type { StoreAccess } from './store-access.ts';

/**
 * Opens the store for a CLI command under a named audit actor and turns the store's typed errors
 * into one clear line (exit 1). `create: false` refuses to make a new store where none exists.
 * `onBackgroundError` receives a failed background job (a resumed key rotation) with its cause.
 */
export async function openStoreForCli(
  access: StoreAccess,
  actor: string,
  create: boolean,
  onBackgroundError?: BackgroundErrorHandler,
): Promise<RecordStore> {
  if (!create && !access.exists) throw new CliError(`no store in ${access.path}`, 1);
  try {
    return await openStore({
      path: access.path,
      passphrase: access.passphrase,
      create,
      actor,
      ...(onBackgroundError ? { onBackgroundError } : {}),
    });
  } catch (err) {
    if (err instanceof StoreError && err.code === 'wrong_passphrase') {
      throw new CliError(`wrong passphrase for the store in ${access.path}; nothing was changed`, 1);
    }
    if (err instanceof StoreError)
      throw new CliError(`cannot open the store in ${access.path}: ${err.message}`, 1);
    throw err;
  }
}
