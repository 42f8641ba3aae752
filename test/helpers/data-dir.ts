import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every file under `dir` with its bytes, for plaintext greps. */
export function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

/** A fingerprint of a directory (names, sizes, contents, mtimes): equal means nothing changed. */
export function fingerprint(dir: string): string {
  const h = createHash('sha256');
  for (const f of filesUnder(dir).sort((a, b) => a.path.localeCompare(b.path))) {
    h.update(f.path)
      .update(String(statSync(f.path).mtimeMs))
      .update(f.bytes);
  }
  return h.digest('hex');
}

/** Files of `dir` containing `needle` (as UTF-8 bytes or as the given bytes). */
export function filesContaining(dir: string, needle: string | Uint8Array): string[] {
  const n = typeof needle === 'string' ? Buffer.from(needle, 'utf8') : Buffer.from(needle);
  return filesUnder(dir)
    .filter((f) => f.bytes.includes(n))
    .map((f) => f.path);
}
