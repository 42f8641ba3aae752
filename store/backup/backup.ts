import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeCbor } from '../cbor.ts';
import { BACKUP_MAGIC, FRAME_BYTES, backupKey, frameAad } from './backup-format.ts';
import type { BackupTrailer } from './backup-format.ts';
import { encodeKeyHeader } from '../../crypto/key-header.ts';
import type { StoreContext } from '../engine/context.ts';
import { openDatabase } from '../engine/db.ts';
import type { StoreCheck } from '../integrity/check.ts';
import { checkStore } from '../integrity/check.ts';
import { DB_FILE } from '../keys/key-file.ts';

/** What `writeBackup` reports. */
export interface BackupSummary {
  file: string;
  bytes: number;
  frames: number;
  createdAt: string;
  /**
   * The check of exactly what was copied (the snapshot): damaged records are copied as they are
   * and named here and in the backup's trailer, so the backup never claims more than it holds.
   */
  check: StoreCheck;
}

/** Damaged records named in a trailer (all are counted): keeps the trailer frame small. */
const TRAILER_LISTED = 500;

/** Checks an LMDB snapshot file with the store's keys (opened on its own, closed after). */
async function checkSnapshot(ctx: StoreContext, snapshotDir: string): Promise<StoreCheck> {
  const dbs = openDatabase(snapshotDir, { readOnly: true });
  try {
    return await checkStore({ dbs, keyring: ctx.keyring });
  } finally {
    await dbs.env.close();
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * Writes an encrypted, self-verifying backup of a running store: an LMDB snapshot copy
 * (compacted, consistent even while another process writes), checked record by record, streamed
 * in sealed 256 KiB frames after the key header, closed by a sealed trailer with the length, the
 * SHA-256 and the damaged records the check found. The file is written under a temporary name
 * and renamed only when complete. Damage does not stop a backup: everything is copied.
 */
export async function writeBackup(ctx: StoreContext, file: string): Promise<BackupSummary> {
  const snapshotDir = mkdtempSync(join(dirname(file), '.fieldkit-backup-'));
  const temp = `${file}.partial-${process.pid}`;
  try {
    const snapshot = join(snapshotDir, DB_FILE);
    await ctx.dbs.env.backup(snapshot, true);
    const check = await checkSnapshot(ctx, snapshotDir);
    const backupId = ctx.keyring.backend.randomBytes(16);
    const key = backupKey(ctx.keyring, backupId);
    // The header this process unlocked with, so the frames' key and the header always agree.
    const header = Buffer.from(encodeKeyHeader(ctx.keyFile.header));
    const out = openSync(temp, 'w', 0o600);
    const sha = createHash('sha256');
    let frames = 0;
    let bytes = 0;
    try {
      writeSync(out, Buffer.concat([BACKUP_MAGIC, u32(header.byteLength), header, backupId]));
      const input = openSync(snapshot, 'r');
      try {
        const buf = Buffer.allocUnsafe(FRAME_BYTES);
        for (;;) {
          const n = readSync(input, buf, 0, FRAME_BYTES, null);
          if (n === 0) break;
          const plain = buf.subarray(0, n);
          sha.update(plain);
          bytes += n;
          const sealed = ctx.keyring.backend.seal(plain, frameAad(backupId, frames, false), key);
          writeSync(out, Buffer.concat([u32(sealed.byteLength), sealed]));
          frames += 1;
        }
      } finally {
        closeSync(input);
      }
      const trailer: BackupTrailer = {
        frames,
        bytes,
        sha256: sha.digest('hex'),
        createdAt: new Date().toISOString(),
        epoch: ctx.keyring.currentEpoch,
        damaged: { count: check.damagedCount, records: check.damaged.slice(0, TRAILER_LISTED) },
      };
      const sealed = ctx.keyring.backend.seal(encodeCbor(trailer), frameAad(backupId, frames, true), key);
      writeSync(out, Buffer.concat([u32(sealed.byteLength), sealed]));
      fsyncSync(out);
      ctx.keyring.backend.zero(key);
      renameSync(temp, file);
      await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'backup', 'store', []));
      return { file, bytes, frames, createdAt: trailer.createdAt, check };
    } finally {
      closeSync(out);
    }
  } finally {
    rmSync(temp, { force: true });
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}
