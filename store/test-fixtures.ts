import { afterAll, afterEach } from 'vitest';
import { openStore, type RecordStore, type StoreOptions } from './index.ts';
import { TEST_KDF, tempDir } from './testing.ts';

/** Options of {@link tempStores}. */
export interface TempStoresOptions {
  /** `test` (default): cleaned after each test; `file`: after the test file (shared state). */
  readonly scope?: 'test' | 'file';
  /** Passphrase of the stores it opens (default `pw`). */
  readonly passphrase?: string;
  /** Prefix of the temp directories' names (shows in /tmp while a test runs). */
  readonly prefix?: string;
}

/** What {@link tempStores} hands a test. */
export interface TempStores {
  /** A fresh directory path (not yet created) under a temp base that is removed afterwards. */
  dir(): string;
  /** A new store (light Argon2id) in a fresh directory; closed afterwards. */
  open(options?: Partial<StoreOptions>): Promise<RecordStore>;
  /** Opens the store in an existing directory (the fixture's passphrase); closed afterwards. */
  reopen(path: string, options?: Partial<StoreOptions>): Promise<RecordStore>;
}

/**
 * The one temp-store fixture of the test suite: temp directories and stores opened in them,
 * closed (stores first) and removed after each test or after the file. It registers its own
 * `afterEach`/`afterAll`, so call it at the top of a test file or a `describe`.
 */
export function tempStores(options: TempStoresOptions = {}): TempStores {
  const passphrase = options.passphrase ?? 'pw';
  const cleanups: Array<() => void> = [];
  const open: RecordStore[] = [];
  const cleanup = async () => {
    for (const s of open.splice(0)) await s.close();
    for (const c of cleanups.splice(0)) c();
  };
  if (options.scope === 'file') afterAll(cleanup);
  else afterEach(cleanup);
  const dir = () => {
    const t = tempDir(options.prefix);
    cleanups.push(t.cleanup);
    return t.dir;
  };
  const reopen = async (path: string, more: Partial<StoreOptions> = {}) => {
    const store = await openStore({ path, passphrase, kdf: TEST_KDF, ...more });
    open.push(store);
    return store;
  };
  return { dir, reopen, open: (more = {}) => reopen(dir(), more) };
}
