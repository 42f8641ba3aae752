import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';

/**
 * Writes `bytes` to `file` and fsyncs before closing, so the bytes are on disk when this returns
 * (the key header and the kit's pid file must survive a power cut whole). `flag` is `w` to create
 * or truncate, `wx` to fail with EEXIST if the file is already there. Owner-only permissions.
 */
export function writeFileSynced(file: string, bytes: Uint8Array, flag: 'w' | 'wx' = 'w'): void {
  const fd = openSync(file, flag, 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
