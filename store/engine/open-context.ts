import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackend } from '../../crypto/backend.ts';
import type { CryptoBackend } from '../../crypto/backend.ts';
import { KeyError } from '../../crypto/errors.ts';
import { identityFromSeeds } from '../../crypto/identity.ts';
import type { KeyHeader, Unlocked } from '../../crypto/key-header.ts';
import { createKeyHeader, unlockWithPassphrase } from '../../crypto/key-header.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { forgetChainKey } from '../audit/audit-chain.ts';
import { StoreError } from '../errors.ts';
import { DamageLog } from '../integrity/damage.ts';
import { ensureIndexVersion } from '../integrity/reindex.ts';
import { DB_FILE, KEY_FILE, KeyFile, readKeyFile, writeKeyFile } from '../keys/key-file.ts';
import type { ResolvedStoreOptions } from '../options.ts';
import { BlindMemo } from './blind-memo.ts';
import type { StoreContext } from './context.ts';
import { openDatabase, type DbsSlot } from './db.ts';
import { KeyReservation } from './key-reservation.ts';
import { ReadAuditLog } from './read-audit.ts';
import { WriteBatcher } from './write-batcher.ts';

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
 * Opens (or creates) the store in a data directory and returns its context. The passphrase is
 * checked against the small key header BEFORE LMDB is opened, so a wrong passphrase changes no
 * file at all. A store whose blind index predates the current tags has it rebuilt here.
 */
export async function openContext(opts: ResolvedStoreOptions): Promise<StoreContext> {
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
  const slot: DbsSlot = { dbs: openDatabase(dir) };
  const keys = new KeyReservation();
  const blinds = new BlindMemo(keyring);
  // `dbs` is a getter on both objects: the slot's databases are replaced by release-map.ts.
  const batcher = new WriteBatcher({
    get dbs() {
      return slot.dbs;
    },
    keyring,
    keys,
    blinds,
  });
  const ctx: StoreContext = {
    get dbs() {
      return slot.dbs;
    },
    slot,
    keyring,
    keys,
    blinds,
    dir,
    batcher,
    actor: opts.actor,
    readAudit: new ReadAuditLog(batcher, opts.actor),
    keyFile: new KeyFile(dir, header),
    damage: new DamageLog(),
  };
  try {
    await ensureIndexVersion(ctx);
  } catch (error) {
    await closeContext(ctx);
    throw error;
  }
  return ctx;
}

/**
 * Waits for pending writes to be durable, closes LMDB and erases every key from memory (the
 * passphrase string itself cannot be zeroed in JS).
 */
export async function closeContext(ctx: StoreContext): Promise<void> {
  await ctx.batcher.drain();
  await ctx.dbs.env.close();
  forgetChainKey(ctx.keyring);
  ctx.blinds.clear();
  ctx.keys.clear();
  ctx.keyring.lock();
}
