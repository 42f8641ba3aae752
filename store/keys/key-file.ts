import { closeSync, fsyncSync, openSync, readFileSync, renameSync } from 'node:fs';
import { writeFileSynced } from '../durable-file.ts';
import { join } from 'node:path';
import type { KeyHeader } from '../../crypto/key-header.ts';
import { decodeKeyHeader, encodeKeyHeader } from '../../crypto/key-header.ts';
import { KeyError } from '../../crypto/errors.ts';
import { StoreError } from '../errors.ts';

/** The key header's file name inside the data directory. */
export const KEY_FILE = 'keys.cbor';
/** The LMDB file name inside the data directory (its lock file is `<name>-lock`). */
export const DB_FILE = 'records.mdb';

/** Path of the key header. */
export function keyFilePath(dir: string): string {
  return join(dir, KEY_FILE);
}

/** Reads and parses the key header; absence is `no_store`, damage is `corrupt_header`. */
export function readKeyFile(dir: string): KeyHeader {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(keyFilePath(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new StoreError('no_store', `No store at ${dir}.`);
    throw error;
  }
  try {
    return decodeKeyHeader(bytes);
  } catch (error) {
    if (error instanceof KeyError) throw new StoreError('corrupt_header', error.message, { cause: error });
    throw error;
  }
}

/**
 * Replaces the key header atomically (temp file, fsync, rename, fsync directory): after a power
 * cut the header is either the old one or the new one, never half of each, and never lost.
 */
export function writeKeyFile(dir: string, header: KeyHeader): void {
  const bytes = encodeKeyHeader(header);
  const target = keyFilePath(dir);
  const temp = `${target}.tmp-${process.pid}`;
  writeFileSynced(temp, bytes);
  renameSync(temp, target);
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * The key header of an open store: what is on disk, and the only way to change it, so the copy
 * in memory (backups embed it) and the file can never disagree.
 */
export class KeyFile {
  readonly dir: string;
  #header: KeyHeader;

  constructor(dir: string, header: KeyHeader) {
    this.dir = dir;
    this.#header = header;
  }

  /** The header as last written. */
  get header(): KeyHeader {
    return this.#header;
  }

  /** Writes a new header atomically, then makes it the current one. */
  replace(header: KeyHeader): void {
    writeKeyFile(this.dir, header);
    this.#header = header;
  }
}
