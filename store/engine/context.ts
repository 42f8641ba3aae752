import type { Keyring } from '../../crypto/keyring.ts';
import type { DamageLog, OnDamaged } from '../integrity/damage.ts';
import type { KeyFile } from '../keys/key-file.ts';
import type { Dbs, DbsSlot } from './db.ts';
import type { ReadAuditLog } from './read-audit.ts';
import type { WriteBatcher } from './write-batcher.ts';
import type { WriteDeps } from './write-tx.ts';

export type { OnDamaged } from '../integrity/damage.ts';

/** Options of list reads. */
export interface ReadOptions {
  /**
   * Called for each record the read could not open (it is skipped; the readable ones are still
   * returned). A {@link DamageReport} is one of these, ready-made.
   */
  onDamaged?: OnDamaged;
}

/**
 * The records and the keys that open them, without the writer: enough to read and check a
 * store, or an LMDB snapshot of one (a backup being written).
 */
export interface StoreData {
  readonly dbs: Dbs;
  readonly keyring: Keyring;
}

/**
 * One open store as every function of store/ sees it: the open databases, the keys, the writer,
 * the key header on disk, who is acting, and where reads and damage are noted. Table modules,
 * backup, key administration and rotation are all plain functions of this; `RecordStore` is
 * only the front object that checks the store is open and forwards.
 */
export interface StoreContext extends WriteDeps {
  readonly dir: string;
  /** The open databases: `slot.dbs`, read at each use (the file can be mapped afresh: release-map.ts). */
  readonly dbs: Dbs;
  readonly slot: DbsSlot;
  readonly keyring: Keyring;
  readonly batcher: WriteBatcher;
  readonly actor: string;
  readonly readAudit: ReadAuditLog;
  /** The key header as last written (rewritten by passphrase changes and rotations). */
  readonly keyFile: KeyFile;
  /** Every damaged record any read of this process met since the store was opened. */
  readonly damage: DamageLog;
}
