import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackend } from '../crypto/backend.ts';
import type { CryptoBackend } from '../crypto/backend.ts';
import { KeyError } from '../crypto/errors.ts';
import { identityFromSeeds } from '../crypto/identity.ts';
import type { KeyHeader, Unlocked } from '../crypto/key-header.ts';
import { createKeyHeader, unlockWithPassphrase } from '../crypto/key-header.ts';
import { Keyring } from '../crypto/keyring.ts';
import { BlindMemo } from './engine/blind-memo.ts';
import { openDatabase } from './engine/db.ts';
import { StoreError } from './errors.ts';
import { DB_FILE, KEY_FILE, readKeyFile, writeKeyFile } from './keys/key-file.ts';
import { KeyReservation } from './engine/key-reservation.ts';
import type { StoreOptionsInput } from './options.ts';
import { parseStoreOptions } from './options.ts';
import { RecordStore } from './record-store.ts';
import { ReadAuditLog } from './engine/read-audit.ts';
import { WriteBatcher } from './engine/write-batcher.ts';

async function unlock(backend: CryptoBackend, header: KeyHeader, passphrase: string): Promise<Unlocked> {
  try {
    return await unlockWithPassphrase(backend, header, passphrase);
  } catch (error) {
    if (error instanceof KeyError && error.code === 'wrong_secret')
      throw new StoreError('wrong_passphrase', 'Wrong passphrase: the store was not opened.');
    if (error instanceof KeyError) throw new StoreError('corrupt_header', error.message, { cause: error });
    throw error;
  }
}

/**
 * Opens (or creates) the encrypted store in a data directory. The passphrase is checked against
 * the small key header BEFORE LMDB is opened, so a wrong passphrase changes no file at all.
 */
export async function openStore(options: StoreOptionsInput): Promise<RecordStore> {
  const opts = parseStoreOptions(options);
  const backend = await loadBackend(opts.crypto);
  const dir = opts.path;
  let unlocked: Unlocked;
  let header: KeyHeader;
  if (existsSync(join(dir, KEY_FILE))) {
    header = readKeyFile(dir);
    unlocked = await unlock(backend, header, opts.passphrase);
  } else {
    if (!opts.create) throw new StoreError('no_store', `No store at ${dir}.`);
    if (existsSync(join(dir, DB_FILE)))
      throw new StoreError(
        'corrupt_header',
        `The store at ${dir} has records but no key header (${KEY_FILE}).`,
      );
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const created = await createKeyHeader(backend, opts.passphrase, opts.kdf, async (bundle) => {
      const id = await identityFromSeeds(bundle.signingSeed, bundle.sealingSeed);
      backend.zero(id.signingSecret);
      backend.zero(id.sealingSecret);
      return id.publicKeys;
    });
    writeKeyFile(dir, created.header);
    header = created.header;
    unlocked = created.unlocked;
  }
  const keyring = new Keyring(backend, unlocked);
  const dbs = openDatabase(dir);
  const deps = { dbs, keyring, keys: new KeyReservation(), blinds: new BlindMemo(keyring) };
  const batcher = new WriteBatcher(deps);
  const readAudit = new ReadAuditLog(batcher, opts.actor);
  const store = new RecordStore({ ...deps, dir, batcher, actor: opts.actor, readAudit }, header);
  if (opts.resumeRotation && keyring.epochs.length > 1) store.resumeRotationInBackground();
  return store;
}
