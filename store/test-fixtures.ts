import { afterEach } from 'vitest';
import { openStore, type RecordStore } from './index.ts';
import { TEST_KDF, tempDir } from './testing.ts';

/**
 * Temp directories for a test file, removed after each test (the helper registers its own
 * `afterEach`), so store tests share one setup instead of each restating it.
 */
export function tempDirs(): () => string {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  return () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    return t.dir;
  };
}

/** Fresh stores (light Argon2id) in temp directories, closed and removed after each test. */
export function freshStores(passphrase = 'pw'): () => Promise<RecordStore> {
  const dirs = tempDirs();
  const open: RecordStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
  });
  return async () => {
    const store = await openStore({ path: dirs(), passphrase, kdf: TEST_KDF });
    open.push(store);
    return store;
  };
}
