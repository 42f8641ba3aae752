import { loadBackend } from '../../crypto/backend.ts';
import { KeyError } from '../../crypto/errors.ts';
import type { KdfParams } from '../../crypto/kdf.ts';
import {
  addRecoveryKey as wrapForRecovery,
  rewrapPassphrase,
  unlockWithRecovery,
} from '../../crypto/key-header.ts';
import { zeroBundle } from '../../crypto/key-bundle.ts';
import { StoreError } from '../errors.ts';
import { readKeyFile, writeKeyFile } from './key-file.ts';
import type { RecordStore } from '../record-store.ts';

/**
 * Changes the passphrase: only the master key is rewrapped (new salt, atomic header write);
 * no record is re-encrypted, so it takes the time of one Argon2id run whatever the store size.
 */
export async function changePassphrase(
  store: RecordStore,
  passphrase: string,
  kdf?: KdfParams,
): Promise<void> {
  if (passphrase.length === 0) throw new StoreError('invalid_options', 'The new passphrase is empty.');
  const ctx = store.context;
  const header = await rewrapPassphrase(
    ctx.keyring.backend,
    store.header,
    ctx.keyring.unlocked,
    passphrase,
    kdf,
  );
  writeKeyFile(ctx.dir, header);
  store.setHeader(header);
  await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'rekey', 'store', ['passphrase']));
}

/** Formats a 32-byte recovery key for paper: 16 groups of 4 hex digits. */
export function formatRecoveryKey(key: Uint8Array): string {
  return (Buffer.from(key).toString('hex').match(/.{4}/g) ?? []).join('-');
}

function parseRecoveryKey(text: string): Uint8Array {
  const hex = text.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 64)
    throw new StoreError('wrong_passphrase', 'That is not a recovery key (64 hex digits).');
  return Buffer.from(hex, 'hex');
}

/**
 * Creates (or replaces) the store's recovery key and returns it formatted for printing. It is
 * shown once and never stored: with it, a forgotten passphrase can be reset.
 */
export async function createRecoveryKey(store: RecordStore): Promise<string> {
  const ctx = store.context;
  const { header, recoveryKey } = wrapForRecovery(ctx.keyring.backend, store.header, ctx.keyring.unlocked);
  writeKeyFile(ctx.dir, header);
  store.setHeader(header);
  await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'rekey', 'store', ['recovery-key']));
  const text = formatRecoveryKey(recoveryKey);
  ctx.keyring.backend.zero(recoveryKey);
  return text;
}

/** Sets a new passphrase on a closed store using its recovery key (the passphrase was lost). */
export async function resetPassphraseWithRecovery(
  path: string,
  recoveryKey: string,
  passphrase: string,
  kdf?: KdfParams,
): Promise<void> {
  const backend = await loadBackend('auto');
  const header = readKeyFile(path);
  const key = parseRecoveryKey(recoveryKey);
  let unlocked;
  try {
    unlocked = unlockWithRecovery(backend, header, key);
  } catch (error) {
    if (error instanceof KeyError && error.code === 'wrong_secret')
      throw new StoreError('wrong_passphrase', 'Wrong recovery key: nothing was changed.');
    throw new StoreError('corrupt_header', 'The key header is damaged.', { cause: error });
  } finally {
    backend.zero(key);
  }
  try {
    writeKeyFile(path, await rewrapPassphrase(backend, header, unlocked, passphrase, kdf));
  } finally {
    zeroBundle(backend, unlocked.bundle);
    backend.zero(unlocked.masterKey);
  }
}
