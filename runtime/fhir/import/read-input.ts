import { open } from 'node:fs/promises';
import { ImportFileError } from './import-types.ts';

/**
 * Largest file `fieldkit import` reads. A day's patient list is kilobytes to a few megabytes (10,000
 * patients as CSV is about 1.5 MB); anything near this is not a patient list.
 */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

/**
 * Reads an import file whole, after checking its size on the open descriptor: a file over the
 * limit is refused before a byte of it is read; a pipe or a file that grows is cut at the limit
 * and refused the same way.
 */
export async function readImportFile(path: string, limit = MAX_IMPORT_BYTES): Promise<Buffer> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new ImportFileError(
      'unreadable',
      `cannot open ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new ImportFileError('unreadable', `${path} is a directory`);
    if (info.isFile() && info.size > limit)
      throw new ImportFileError(
        'too_large',
        `${path} is ${mb(info.size)}; the import limit is ${mb(limit)} (a patient list is far smaller). Nothing was read.`,
      );
    const chunks: Buffer[] = [];
    let total = 0;
    const buf = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit)
        throw new ImportFileError(
          'too_large',
          `${path} is over the import limit of ${mb(limit)}; nothing was imported.`,
        );
      chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
    }
    if (total === 0) throw new ImportFileError('empty', `${path} is empty`);
    return Buffer.concat(chunks, total);
  } finally {
    await handle.close();
  }
}
