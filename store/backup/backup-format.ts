import type { Keyring } from '../../crypto/keyring.ts';
import type { DamagedRecord } from '../integrity/damage.ts';

/** First bytes of a backup file. */
export const BACKUP_MAGIC = Buffer.from('FIELDKIT-BACKUP-1\n');
/** Plaintext bytes per sealed backup frame. */
export const FRAME_BYTES = 256 * 1024;
/** Largest sealed frame a reader accepts (a corrupt length must not allocate gigabytes). */
export const MAX_FRAME_BYTES = FRAME_BYTES + 1024;
/** Largest key header a reader accepts. */
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * The key that seals a backup's frames: keyed BLAKE2b of the backup's random id under the
 * current data key. Whoever can unlock the key header inside the backup (the passphrase or the
 * recovery key) can derive it; nobody else can read or forge a frame.
 */
export function backupKey(keyring: Keyring, backupId: Uint8Array): Uint8Array {
  const dek = keyring.dek(keyring.currentEpoch);
  if (!dek) throw new Error('no current data key');
  return keyring.backend.hash(Buffer.concat([Buffer.from('fieldkit/backup/v1\u0000'), backupId]), 32, dek);
}

/** AAD of frame `index`: binds it to this backup, its position, and whether it is the trailer. */
export function frameAad(backupId: Uint8Array, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(backupId.byteLength + 5);
  Buffer.from(backupId).copy(aad, 0);
  aad.writeUInt32BE(index, backupId.byteLength);
  aad[backupId.byteLength + 4] = final ? 1 : 0;
  return aad;
}

/** What the trailer frame says about the backup, checked by every reader. */
export interface BackupTrailer {
  frames: number;
  bytes: number;
  sha256: string;
  createdAt: string;
  /** Data-key epoch the backup key was derived from. */
  epoch: number;
  /**
   * Records found damaged in what was copied (count, and the first few hundred named); absent in
   * backups written before damage was reported.
   */
  damaged?: { count: number; records: DamagedRecord[] };
}
