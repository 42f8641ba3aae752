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
import type { StoreContext } from '../engine/context.ts';
import { closeContext, openContext } from '../engine/open-context.ts';
import { acquireKitLock, describeKitHolder, kitLockHolder } from '../kit-lock.ts';
import { parseStoreOptions } from '../options.ts';
import { readKeyFile, writeKeyFile } from './key-file.ts';

/**
 * Changes the passphrase: only the master key is rewrapped (new salt, atomic header write);
 * no record is re-encrypted, so it takes the time of one Argon2id run whatever the store size.
 */
export async function changePassphrase(
  ctx: StoreContext,
  passphrase: string,
  kdf?: KdfParams,
): Promise<void> {
  if (passphrase.length === 0) throw new StoreError('invalid_options', 'The new passphrase is empty.');
  const header = await rewrapPassphrase(
    ctx.keyring.backend,
    ctx.keyFile.header,
    ctx.keyring.unlocked,
    passphrase,
    kdf,
  );
  ctx.keyFile.replace(header);
  await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'rekey', 'store', ['passphrase']));
}

/** Formats a 32-byte recovery key for paper: 16 groups of 4 hex digits. */
export function formatRecoveryKey(key: Uint8Array): string {
  return (Buffer.from(key).toString('hex').match(/.{4}/g) ?? []).join('-');
}

/** Parses a recovery key as printed (any separators); anything but 64 hex digits is refused. */
export function parseRecoveryKey(text: string): Uint8Array {
  const hex = text.replace(/[^0-9a-fA-F]/g, '');
  if (hex.length !== 64)
    throw new StoreError('wrong_passphrase', 'That is not a recovery key (64 hex digits).');
  return Buffer.from(hex, 'hex');
}

/**
 * Creates (or replaces) the store's recovery key and returns it formatted for printing. It is
 * shown once and never stored: with it, a forgotten passphrase can be reset.
 */
export async function createRecoveryKey(ctx: StoreContext): Promise<string> {
  const { header, recoveryKey } = wrapForRecovery(
    ctx.keyring.backend,
    ctx.keyFile.header,
    ctx.keyring.unlocked,
  );
  ctx.keyFile.replace(header);
  await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'rekey', 'store', ['recovery-key']));
  const text = formatRecoveryKey(recoveryKey);
  ctx.keyring.backend.zero(recoveryKey);
  return text;
}

/**
 * Sets a new passphrase on a closed store using its recovery key (the passphrase was lost): the
 * master key is unwrapped with the recovery key and rewrapped under the new passphrase; no record
 * changes. Refuses (`in_use`) while a kit holds the data directory, and holds it meanwhile. The
 * reset is recorded in the store's audit log (`rekey`, by `actor`), opened with the new passphrase.
 */
export async function resetPassphraseWithRecovery(
  path: string,
  recoveryKey: string,
  passphrase: string,
  kdf?: KdfParams,
  actor = 'kit',
): Promise<void> {
  if (passphrase.length === 0) throw new StoreError('invalid_options', 'The new passphrase is empty.');
  const holder = kitLockHolder(path);
  if (holder) throw new StoreError('in_use', describeKitHolder(path, holder));
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
  const lock = acquireKitLock(path, 'passphrase-reset');
  try {
    try {
      writeKeyFile(path, await rewrapPassphrase(backend, header, unlocked, passphrase, kdf));
    } finally {
      zeroBundle(backend, unlocked.bundle);
      backend.zero(unlocked.masterKey);
    }
    const ctx = await openContext(parseStoreOptions({ path, passphrase, create: false, actor }));
    try {
      await ctx.batcher.enqueue((tx) =>
        tx.audit(ctx.actor, 'rekey', 'store', ['passphrase-reset-with-recovery-key']),
      );
    } finally {
      await closeContext(ctx);
    }
  } finally {
    lock.release();
  }
}
