import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { loadBackend } from '../crypto/backend.ts';
import { KeyError } from '../crypto/errors.ts';
import { decodeKeyHeader, unlockWithPassphrase } from '../crypto/key-header.ts';
import { Keyring } from '../crypto/keyring.ts';
import { BACKUP_MAGIC, MAX_FRAME_BYTES, MAX_HEADER_BYTES, backupKey, frameAad } from './backup-format.ts';
import type { BackupTrailer } from './backup-format.ts';
import { decodeCbor } from './cbor.ts';
import { checkAllRecords } from './check.ts';
import { StoreError } from './errors.ts';
import { DB_FILE, KEY_FILE } from './key-file.ts';
import { openStore } from './open-store.ts';
import { join } from 'node:path';

const invalid = (why: string) => new StoreError('backup_invalid', `The backup is not valid: ${why}.`);

class Reader {
  #fd: number;
  #pos = 0;
  constructor(file: string) {
    try {
      this.#fd = openSync(file, 'r');
    } catch {
      throw new StoreError('not_found', `Cannot read the backup file ${file}.`);
    }
  }
  read(n: number): Buffer | undefined {
    const buf = Buffer.allocUnsafe(n);
    let got = 0;
    while (got < n) {
      const r = readSync(this.#fd, buf, got, n - got, this.#pos + got);
      if (r === 0) break;
      got += r;
    }
    this.#pos += got;
    if (got === 0) return undefined;
    if (got < n) throw invalid('it ends in the middle of a frame (truncated)');
    return buf;
  }
  close(): void {
    closeSync(this.#fd);
  }
}

/**
 * Reads a backup from start to end, checking every frame and the trailer; hands each decrypted
 * piece of the database to `sink` (or nothing, to only verify). Wrong passphrase, truncation,
 * a flipped byte, reordered or extra frames: each a StoreError, never a partial success.
 */
export async function readBackup(
  file: string,
  passphrase: string,
  sink?: { header: (bytes: Buffer) => void; data: (bytes: Uint8Array) => void },
): Promise<BackupTrailer> {
  const reader = new Reader(file);
  try {
    const magic = reader.read(BACKUP_MAGIC.byteLength);
    if (!magic?.equals(BACKUP_MAGIC)) throw invalid('it is not a Field kit backup');
    const headerLength = reader.read(4)?.readUInt32BE() ?? 0;
    if (headerLength === 0 || headerLength > MAX_HEADER_BYTES) throw invalid('bad key header length');
    const headerBytes = reader.read(headerLength);
    if (!headerBytes) throw invalid('missing key header');
    let header;
    try {
      header = decodeKeyHeader(headerBytes);
    } catch {
      throw invalid('damaged key header');
    }
    const backend = await loadBackend('auto');
    let keyring: Keyring;
    try {
      keyring = new Keyring(backend, await unlockWithPassphrase(backend, header, passphrase));
    } catch (error) {
      if (error instanceof KeyError && error.code === 'wrong_secret')
        throw new StoreError('wrong_passphrase', 'Wrong passphrase for this backup.');
      throw invalid('damaged key header');
    }
    try {
      sink?.header(headerBytes);
      const backupId = reader.read(16);
      if (!backupId) throw invalid('missing backup id');
      const key = backupKey(keyring, backupId);
      const sha = createHash('sha256');
      let bytes = 0;
      for (let index = 0; ; index++) {
        const length = reader.read(4)?.readUInt32BE();
        if (length === undefined) throw invalid('it has no trailer (truncated)');
        if (length > MAX_FRAME_BYTES) throw invalid(`frame ${index} has an impossible length`);
        const sealed = reader.read(length);
        if (!sealed) throw invalid('it has no trailer (truncated)');
        const plain = backend.open(sealed, frameAad(backupId, index, false), key);
        if (plain) {
          sha.update(plain);
          bytes += plain.byteLength;
          sink?.data(plain);
          continue;
        }
        const last = backend.open(sealed, frameAad(backupId, index, true), key);
        if (!last) throw invalid(`frame ${index} was altered or is out of place`);
        const trailer = decodeCbor(last, { table: 'backup' }) as BackupTrailer;
        if (trailer.frames !== index || trailer.bytes !== bytes || trailer.sha256 !== sha.digest('hex'))
          throw invalid('its contents do not match the trailer');
        if (reader.read(1)) throw invalid('it has bytes after the trailer');
        backend.zero(key);
        return trailer;
      }
    } finally {
      keyring.lock();
    }
  } finally {
    reader.close();
  }
}

/** Checks a backup end to end without writing anything. */
export async function verifyBackup(file: string, passphrase: string): Promise<BackupTrailer> {
  return readBackup(file, passphrase);
}

/** What `restoreBackup` did. */
export interface RestoreSummary {
  trailer: BackupTrailer;
  records: number;
  /** Where the store that was replaced now lives (kept, never deleted), if there was one. */
  previous?: string;
}

/**
 * Restores a backup into `target`: verifies the whole file first, unpacks it into a staging
 * directory, opens that as a store and decrypts every record and chunk, and only then moves the
 * existing store aside (kept as `<target>.replaced-<time>`) and the restored one into place.
 * The kit must not be running on `target` while this runs.
 */
export async function restoreBackup(
  file: string,
  target: string,
  passphrase: string,
): Promise<RestoreSummary> {
  await verifyBackup(file, passphrase);
  const staging = `${target}.restoring-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const db = openSync(join(staging, DB_FILE), 'w', 0o600);
    let trailer: BackupTrailer;
    try {
      trailer = await readBackup(file, passphrase, {
        header: (bytes) => {
          const fd = openSync(join(staging, KEY_FILE), 'w', 0o600);
          writeSync(fd, bytes);
          fsyncSync(fd);
          closeSync(fd);
        },
        data: (bytes) => void writeSync(db, bytes),
      });
      fsyncSync(db);
    } finally {
      closeSync(db);
    }
    const store = await openStore({ path: staging, passphrase, create: false, resumeRotation: false });
    let records: number;
    try {
      const check = checkAllRecords(store.context);
      const first = check.damaged[0];
      if (first) throw invalid(`record ${first.table} ${first.recordId} does not decrypt (${first.code})`);
      const audit = await store.verifyAudit();
      if (!audit.ok) throw invalid(`its audit chain is broken at entry ${audit.firstBroken?.seq ?? '?'}`);
      records = check.records;
    } finally {
      await store.close();
    }
    let previous: string | undefined;
    if (existsSync(target)) {
      previous = `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(target, previous);
    }
    renameSync(staging, target);
    return { trailer, records, ...(previous ? { previous } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
