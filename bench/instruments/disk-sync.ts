import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The disk's own floor under a durable commit: fdatasync latencies (ms) of `n` 4 KiB appends in
 * `dir`, taken right after the steady phase. A classic LMDB commit syncs twice (data, then the
 * meta page), so a notify-to-commit p99 can be no lower than about two of these.
 */
export function fdatasyncLatencies(dir: string, n: number): number[] {
  const path = join(dir, 'bench-fdatasync.bin');
  const fd = openSync(path, 'w');
  const page = Buffer.alloc(4096, 0x5a);
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, page);
      const t0 = performance.now();
      fdatasyncSync(fd);
      out.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return out;
}
