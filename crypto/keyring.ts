import type { CryptoBackend } from './backend.ts';
import type { KeyBundle } from './key-bundle.ts';
import { zeroBundle } from './key-bundle.ts';
import type { Unlocked } from './key-header.ts';
import { identityFromSeeds, openSealed, sign } from './identity.ts';
import type { PublicIdentity } from './identity.ts';

/** Length of a blind index term: 128 bits, plenty since matches are re-checked after decrypting. */
export const BLIND_BYTES = 16;

const enc = new TextEncoder();

/** Raised when a key is used after the kit locked: a bug, but never a silent zero-key encrypt. */
export class LockedError extends Error {
  constructor() {
    super('The kit is locked: keys have been erased.');
    this.name = 'LockedError';
  }
}

/**
 * The unlocked keys of one store, in memory only while the kit is unlocked. Everything that
 * needs a secret asks the keyring, so `lock()` erasing it is enough to forget them all.
 */
export class Keyring {
  readonly backend: CryptoBackend;
  #unlocked: Unlocked | undefined;
  #deks = new Map<number, Uint8Array>();

  constructor(backend: CryptoBackend, unlocked: Unlocked) {
    this.backend = backend;
    this.#unlocked = unlocked;
    for (const d of unlocked.bundle.deks) this.#deks.set(d.epoch, d.key);
  }

  #state(): Unlocked {
    if (!this.#unlocked) throw new LockedError();
    return this.#unlocked;
  }

  /** True until {@link Keyring.lock}. */
  get isUnlocked(): boolean {
    return this.#unlocked !== undefined;
  }

  /** The epoch new records are sealed under. */
  get currentEpoch(): number {
    return this.#state().bundle.currentEpoch;
  }

  /** Epochs whose keys are held (more than one while a rotation is under way). */
  get epochs(): number[] {
    this.#state();
    return [...this.#deks.keys()].sort((a, b) => a - b);
  }

  /** The data key of an epoch, or undefined if this store never had it. */
  dek(epoch: number): Uint8Array | undefined {
    this.#state();
    return this.#deks.get(epoch);
  }

  /** A copy of the bundle, for resealing after a rotation step. */
  get bundle(): KeyBundle {
    return this.#state().bundle;
  }

  /** The unlocked master key and bundle, for header rewrites (passphrase change, recovery). */
  get unlocked(): Unlocked {
    return this.#state();
  }

  /** Swaps in a changed bundle (rotation started or finished), zeroing retired keys. */
  replaceBundle(bundle: KeyBundle): void {
    const state = this.#state();
    const keep = new Set(bundle.deks.map((d) => d.key));
    for (const d of state.bundle.deks) if (!keep.has(d.key)) this.backend.zero(d.key);
    state.bundle = bundle;
    this.#deks = new Map(bundle.deks.map((d) => [d.epoch, d.key]));
  }

  /**
   * A blind index term: keyed BLAKE2b of a domain tag and a normalised value, so equal values
   * meet in the index while the value itself never reaches the disk.
   */
  blind(tag: string, value: string): Uint8Array {
    return this.backend.hash(enc.encode(`${tag}\u0000${value}`), BLIND_BYTES, this.#state().bundle.indexKey);
  }

  /** The kit's identity key pairs, derived from the bundle's seeds. */
  async identity(): Promise<{
    publicKeys: PublicIdentity;
    signingSecret: Uint8Array;
    sealingSecret: Uint8Array;
  }> {
    const b = this.#state().bundle;
    return identityFromSeeds(b.signingSeed, b.sealingSeed);
  }

  /** Signs with the kit's Ed25519 key. */
  async sign(message: Uint8Array): Promise<Uint8Array> {
    const id = await this.identity();
    try {
      return await sign(message, id.signingSecret);
    } finally {
      this.backend.zero(id.signingSecret);
      this.backend.zero(id.sealingSecret);
    }
  }

  /** Opens an envelope sealed to the kit's X25519 key. */
  async openSealed(sealed: Uint8Array): Promise<Uint8Array | null> {
    const id = await this.identity();
    try {
      return await openSealed(sealed, id.publicKeys.sealing, id.sealingSecret);
    } finally {
      this.backend.zero(id.signingSecret);
      this.backend.zero(id.sealingSecret);
    }
  }

  /** Erases every key in memory; any later use throws {@link LockedError}. */
  lock(): void {
    const state = this.#unlocked;
    if (!state) return;
    zeroBundle(this.backend, state.bundle);
    this.backend.zero(state.masterKey);
    this.#deks.clear();
    this.#unlocked = undefined;
  }
}
