import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A small tmpfs mounted for one test, or the reason none could be mounted. */
export type Tmpfs =
  | { readonly ok: true; readonly dir: string; readonly unmount: () => void }
  | { readonly ok: false; readonly reason: string };

/**
 * Mounts a fresh tmpfs of `sizeBytes` (needs root: `mount -t tmpfs`), so a test can fill a real
 * filesystem to the last byte without touching the machine's disks. `unmount` is safe to call twice.
 */
export function mountTmpfs(sizeBytes: number): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'fieldkit-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const detail = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    return { ok: false, reason: `cannot mount a tmpfs (needs root): ${detail}` };
  }
  let mounted = true;
  return {
    ok: true,
    dir,
    unmount: () => {
      if (!mounted) return;
      mounted = false;
      // Lazy: a process that still has a file open there must not make the teardown fail.
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Free bytes for an unprivileged writer on the filesystem holding `dir`. */
export function freeBytes(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/**
 * Writes zeros to `file` until only `leaveBytes` remain free on its filesystem (0: until the
 * filesystem refuses with ENOSPC). Returns the bytes written; delete the file to give them back.
 */
export function fillUntil(file: string, leaveBytes: number): number {
  const fd = openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    for (;;) {
      const room = freeBytes(file.slice(0, file.lastIndexOf('/'))) - leaveBytes;
      if (room <= 0) break;
      try {
        written += writeSync(fd, chunk, 0, Math.min(chunk.length, room));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
        throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Removes a filler file written by {@link fillUntil}. */
export function release(file: string): void {
  unlinkSync(file);
}
