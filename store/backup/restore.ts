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
import { loadBackend } from '../../crypto/backend.ts';
import { KeyError } from '../../crypto/errors.ts';
import { decodeKeyHeader, unlockWithPassphrase } from '../../crypto/key-header.ts';
import { Keyring } from '../../crypto/keyring.ts';
import { BACKUP_MAGIC, MAX_FRAME_BYTES, MAX_HEADER_BYTES, backupKey, frameAad } from './backup-format.ts';
import type { BackupTrailer } from './backup-format.ts';
import { decodeCbor } from '../cbor.ts';
import type { StoreContext } from '../engine/context.ts';
import { closeContext, openContext } from '../engine/open-context.ts';
import { StoreError } from '../errors.ts';
import type { StoreCheck } from '../integrity/check.ts';
import { checkStore } from '../integrity/check.ts';
import type { DamagedRecord } from '../integrity/damage.ts';
import { DB_FILE, KEY_FILE } from '../keys/key-file.ts';
import { acquireKitLock, describeKitHolder, kitLockHolder } from '../kit-lock.ts';
import { parseStoreOptions } from '../options.ts';
import { salvageStore } from './salvage.ts';
import { join } from 'node:path';

const invalid = (why: string) => new StoreError('backup_invalid', `The backup is not valid: ${why}.`);

class Reader {
  #fd: number;
  #pos = 0;
  /** SHA-256 of every byte read so far, if asked for: of the whole file once a read reached its end. */
  readonly fileSha;
  constructor(file: string, hashFile = false) {
    this.fileSha = hashFile ? createHash('sha256') : undefined;
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
    if (got > 0) this.fileSha?.update(buf.subarray(0, got));
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
 * piece of the database to `sink` (or nothing, to only verify), and at the end the SHA-256 of
 * the file as read. Wrong passphrase, truncation, a flipped byte, reordered or extra frames: each
 * a StoreError, never a partial success.
 */
export async function readBackup(
  file: string,
  passphrase: string,
  sink?: {
    header: (bytes: Buffer) => void;
    data: (bytes: Uint8Array) => void;
    fileSha256?: (hex: string) => void;
  },
): Promise<BackupTrailer> {
  const reader = new Reader(file, sink?.fileSha256 !== undefined);
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
        if (reader.fileSha) sink?.fileSha256?.(reader.fileSha.digest('hex'));
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

/** Checks a backup's frames and trailer end to end without writing anything. */
export async function verifyBackup(file: string, passphrase: string): Promise<BackupTrailer> {
  return readBackup(file, passphrase);
}

/**
 * Refusal of a restore because the backup holds damaged records (or a broken audit chain):
 * `check` says which; nothing was changed. `restore --salvage` restores every readable record.
 */
export class DamagedBackupError extends StoreError {
  readonly check: StoreCheck;

  constructor(check: StoreCheck) {
    const first = check.damaged[0];
    const what = [
      check.damagedCount > 0
        ? `${check.damagedCount} damaged record${check.damagedCount === 1 ? '' : 's'}` +
          (first ? ` (first: ${first.table} ${first.id}, ${first.code})` : '')
        : '',
      check.danglingPostings.count > 0
        ? `${check.danglingPostings.count} index postings without a record`
        : '',
      check.audit.ok ? '' : `an audit chain broken at entry ${check.audit.firstBroken?.seq ?? '?'}`,
    ].filter(Boolean);
    super('backup_damaged', `The backup holds ${what.join(', ')}.`);
    this.check = check;
  }
}

/** What a backup holds once unpacked and checked: the same for `restore --check` and `restore`. */
export interface BackupExamination {
  trailer: BackupTrailer;
  /**
   * How the restore's audit entry names the backup: `backup-` and the first 16 hex digits of the
   * SHA-256 of the backup file (`sha256sum <file>` shows the same), never its path.
   */
  backupName: string;
  /** The whole-store check of the unpacked copy (what a restore would put in place). */
  check: StoreCheck;
}

/** What `restoreBackup` did. */
export interface RestoreSummary extends BackupExamination {
  /** Records in the restored store. */
  records: number;
  /** Where the store that was replaced now lives (kept, never deleted), if there was one. */
  previous?: string;
  /** With `salvage`: every record (and blob) that was damaged in the backup and left out. */
  lost: DamagedRecord[];
}

/** Options of {@link restoreBackup}. */
export interface RestoreOptions {
  /** Who restores, for the audit entry (default: the store's default actor). */
  actor?: string;
  /**
   * Restore a damaged backup anyway: every readable record is restored, the damaged ones are
   * left out, listed in the summary and in the restored store's audit log (`delete` entries).
   */
  salvage?: boolean;
}

/**
 * Unpacks a backup (key header and LMDB file) into `staging` in one pass that checks every frame
 * and the trailer as it goes (one Argon2id run). On any failure the caller removes `staging`:
 * nothing outside it is written.
 */
async function unpackBackup(
  file: string,
  staging: string,
  passphrase: string,
): Promise<{ trailer: BackupTrailer; backupName: string }> {
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  const db = openSync(join(staging, DB_FILE), 'w', 0o600);
  let trailer: BackupTrailer;
  let fileSha = '';
  try {
    trailer = await readBackup(file, passphrase, {
      header: (bytes) => {
        const fd = openSync(join(staging, KEY_FILE), 'w', 0o600);
        writeSync(fd, bytes);
        fsyncSync(fd);
        closeSync(fd);
      },
      data: (bytes) => void writeSync(db, bytes),
      fileSha256: (hex) => (fileSha = hex),
    });
    fsyncSync(db);
  } finally {
    closeSync(db);
  }
  return { trailer, backupName: `backup-${fileSha.slice(0, 16)}` };
}

async function openStaging(staging: string, passphrase: string, actor?: string): Promise<StoreContext> {
  return openContext(
    parseStoreOptions({
      path: staging,
      passphrase,
      create: false,
      resumeRotation: false,
      ...(actor !== undefined ? { actor } : {}),
    }),
  );
}

/**
 * Finds exactly what {@link restoreBackup} would find, changing nothing: the same unpacking into
 * a staging copy (`<workDir>.checking-<pid>`, removed after) and the same whole-store check.
 */
export async function examineBackup(
  file: string,
  passphrase: string,
  workDir: string,
): Promise<BackupExamination> {
  const staging = `${workDir}.checking-${process.pid}`;
  try {
    const { trailer, backupName } = await unpackBackup(file, staging, passphrase);
    const ctx = await openStaging(staging, passphrase);
    try {
      return { trailer, backupName, check: await checkStore(ctx) };
    } finally {
      await closeContext(ctx);
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Restores a backup into `target`: unpacks it into a staging directory, checking every frame and
 * the trailer on the way, opens that as a store and checks it whole (every record, blob, posting,
 * the audit chain). A damaged backup is refused ({@link DamagedBackupError}, naming what is damaged)
 * unless `salvage` is set, which removes the damaged records and rebuilds the index (audited as
 * `delete` entries). Then it appends a `restore` entry (actor, backup name, when the backup was
 * taken), and only then moves the existing store aside (kept as `<target>.replaced-<time>`) and
 * the restored one into place. So the restored store either carries its audit entry or was not
 * put in place.
 *
 * Refuses (StoreError `in_use`, nothing changed) while a kit or another restore holds `target`
 * (its `kit.pid` names a live process), and holds `target` itself for the swap.
 */
export async function restoreBackup(
  file: string,
  target: string,
  passphrase: string,
  options: RestoreOptions = {},
): Promise<RestoreSummary> {
  const holder = kitLockHolder(target);
  if (holder) throw new StoreError('in_use', describeKitHolder(target, holder));
  const staging = `${target}.restoring-${process.pid}`;
  try {
    const { trailer, backupName } = await unpackBackup(file, staging, passphrase);
    const ctx = await openStaging(staging, passphrase, options.actor);
    let check: StoreCheck;
    let records: number;
    let lost: DamagedRecord[] = [];
    try {
      check = await checkStore(ctx);
      if (!check.ok && !options.salvage) throw new DamagedBackupError(check);
      const ids = [backupName, `taken-${trailer.createdAt}`];
      records = check.records;
      if (!check.ok) {
        lost = await salvageStore(ctx);
        const after = await checkStore(ctx);
        if (!after.ok)
          throw new StoreError(
            'backup_invalid',
            `The backup could not be salvaged: ${new DamagedBackupError(after).message}`,
          );
        records = after.records;
        ids.push(`salvaged-lost-${lost.length}`);
      }
      await appendRestoreEntry(ctx, ids);
    } finally {
      await closeContext(ctx);
    }
    const lock = existsSync(target) ? acquireKitLock(target, 'restore') : undefined;
    let previous: string | undefined;
    try {
      if (existsSync(target)) {
        const aside = `${target}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        renameSync(target, aside);
        previous = aside;
      }
      try {
        renameSync(staging, target);
      } catch (error) {
        // Put the old store back rather than leave no store at `target`.
        if (previous) renameSync(previous, target);
        previous = undefined;
        throw error;
      }
    } finally {
      // The pid file moved with the old store.
      lock?.release(previous ?? target);
    }
    return { trailer, backupName, check, records, lost, ...(previous ? { previous } : {}) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Appends the restore's entry to the restored store's audit chain (store-level, like a
 * rotation's). A failure is a StoreError `write_failed`: the caller has not replaced anything yet.
 */
async function appendRestoreEntry(ctx: StoreContext, ids: string[]): Promise<void> {
  try {
    await ctx.batcher.enqueue((tx) => tx.audit(ctx.actor, 'restore', 'store', ids));
  } catch (cause) {
    throw new StoreError(
      'write_failed',
      `Could not record the restore in the restored store's audit log (${cause instanceof Error ? cause.message : String(cause)}).`,
      { cause },
    );
  }
}
