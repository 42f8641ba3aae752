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
import { DB_FILE } from '../keys/key-file.ts';
import type { RecordStore } from '../record-store.ts';

/** What `writeBackup` reports. */
export interface BackupSummary {
  file: string;
  bytes: number;
  frames: number;
  createdAt: string;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/**
 * Writes an encrypted, self-verifying backup of a running store: an LMDB snapshot copy
 * (compacted, consistent even while another process writes), streamed in sealed 256 KiB frames
 * after the key header, closed by a sealed trailer with the length and SHA-256. The file is
 * written under a temporary name and renamed only when complete.
 */
export async function writeBackup(store: RecordStore, file: string): Promise<BackupSummary> {
  const ctx = store.context;
  const snapshotDir = mkdtempSync(join(dirname(file), '.fieldkit-backup-'));
  const temp = `${file}.partial-${process.pid}`;
  try {
    const snapshot = join(snapshotDir, DB_FILE);
    await ctx.dbs.env.backup(snapshot, true);
    const backupId = ctx.keyring.backend.randomBytes(16);
    const key = backupKey(ctx.keyring, backupId);
    // The header this process unlocked with, so the frames' key and the header always agree.
    const header = Buffer.from(encodeKeyHeader(store.header));
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
      };
      const sealed = ctx.keyring.backend.seal(encodeCbor(trailer), frameAad(backupId, frames, true), key);
      writeSync(out, Buffer.concat([u32(sealed.byteLength), sealed]));
      fsyncSync(out);
      ctx.keyring.backend.zero(key);
      renameSync(temp, file);
      await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'backup', 'store', []));
      return { file, bytes, frames, createdAt: trailer.createdAt };
    } finally {
      closeSync(out);
    }
  } finally {
    rmSync(temp, { force: true });
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}
