import type { Directory } from '../../crypto/directory.ts';
import { keyFingerprint, verifyDirectory } from '../../crypto/directory.ts';
import { LinkCryptoError } from '../../crypto/link-error.ts';
import type { LinkKv } from './link-kv.ts';

const KEY = 'dir/current';

/** A directory a kit refused, with the reason (shown in the log and the link status). */
export class DirectoryRefusedError extends Error {
  constructor(
    readonly code: LinkCryptoError['code'],
    message: string,
  ) {
    super(message);
    this.name = 'DirectoryRefusedError';
  }
}

/**
 * The organisation key a kit (or console) is configured with, and the newest directory that
 * verified against it. A directory from the hub replaces the pinned one only if it verifies and
 * is not older; anything else is refused with a clear error, counted, and the pinned directory
 * stays in use. The pinned directory is kept in the store, so verification works offline.
 */
export class DirectoryPin {
  readonly #kv: LinkKv;
  readonly orgKey: Uint8Array;
  #current: Directory | undefined;
  #listeners = new Set<(dir: Directory) => void>();
  /** Directories refused so far. */
  refused = 0;
  /** The last refusal's message. */
  lastRefusal: string | undefined;

  constructor(kv: LinkKv, orgKey: Uint8Array) {
    this.#kv = kv;
    this.orgKey = orgKey;
  }

  /** Loads the pinned directory from the store (verifying it again). */
  async load(): Promise<Directory | undefined> {
    const bytes = (await this.#kv.linkGet(KEY))?.bytes;
    if (bytes instanceof Uint8Array)
      this.#current = await verifyDirectory(bytes, this.orgKey).catch(() => undefined);
    return this.#current;
  }

  /** The pinned directory, if any. */
  get current(): Directory | undefined {
    return this.#current;
  }

  /** Calls `listener` whenever a newer directory is pinned. */
  onChange(listener: (dir: Directory) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Verifies and pins a directory (from the hub, or given at set-up). Throws a
   * {@link DirectoryRefusedError} naming why, and keeps the pinned one, when it does not verify.
   */
  async accept(bytes: Uint8Array, source = 'the hub'): Promise<Directory> {
    let dir: Directory;
    try {
      dir = await verifyDirectory(bytes, this.orgKey, this.#current?.serial ?? 0);
    } catch (error) {
      if (!(error instanceof LinkCryptoError)) throw error;
      this.refused++;
      const keeping = this.#current
        ? `Keeping the pinned directory (serial ${this.#current.serial})`
        : 'No directory is pinned yet';
      this.lastRefusal = `Refused the directory served by ${source}: ${error.message} ${keeping}. Organisation key ${await keyFingerprint(this.orgKey)}.`;
      throw new DirectoryRefusedError(error.code, this.lastRefusal);
    }
    if (
      this.#current &&
      dir.serial === this.#current.serial &&
      Buffer.from(dir.signed).equals(Buffer.from(this.#current.signed))
    )
      return this.#current;
    await this.#kv.linkTransaction((tx) => tx.put(KEY, { bytes, serial: dir.serial }));
    this.#current = dir;
    for (const l of [...this.#listeners]) l(dir);
    return dir;
  }
}
