import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';

/**
 * Writes a file whole and durably (temporary name, fsync, rename): keys, certificates and
 * directories are never left half-written by a crash. `mode` defaults to owner-only.
 */
export function writeFileDurably(file: string, bytes: Uint8Array | string, mode = 0o600): void {
  const temp = `${file}.tmp-${process.pid}`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}
