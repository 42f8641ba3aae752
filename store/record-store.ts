import type { KeyHeader } from '../crypto/key-header.ts';
import type { PublicIdentity } from '../crypto/identity.ts';
import { forgetChainKey } from './audit-chain.ts';
import type { ReadOptions, StoreContext } from './context.ts';
import { StoreError } from './errors.ts';
import * as obs from './observations.ts';
import type { ObservationInput, ObservationRecord } from './schema/observation.ts';

/**
 * The kit's encrypted record store: one object per open data directory. Every method that
 * writes resolves only after the LMDB commit is durable; every method that reads decrypts and
 * verifies, and throws a {@link StoreError} naming the record when a byte was altered.
 */
export class RecordStore {
  readonly #ctx: StoreContext;
  #header: KeyHeader;
  #closed = false;
  #background: Promise<unknown> | undefined;

  constructor(ctx: StoreContext, header: KeyHeader) {
    this.#ctx = ctx;
    this.#header = header;
  }

  /** The context, for sibling modules in store/ (blobs, outbox, backup). Not for callers. */
  get context(): StoreContext {
    this.#assertOpen();
    return this.#ctx;
  }

  /** The data directory this store lives in. */
  get path(): string {
    return this.#ctx.dir;
  }

  /** The key header as last written (public keys are readable without unlocking). */
  get header(): KeyHeader {
    return this.#header;
  }

  /** Replaces the in-memory header after a sibling module rewrote the key file. */
  setHeader(header: KeyHeader): void {
    this.#header = header;
  }

  /** The kit's public identity (Ed25519 signing, X25519 sealing). */
  get publicIdentity(): PublicIdentity {
    return this.#header.publicKeys;
  }

  /** Write transactions committed by this process (lets tests see batching). */
  get commitCount(): number {
    return this.#ctx.batcher.commits;
  }

  #assertOpen(): void {
    if (this.#closed || !this.#ctx.keyring.isUnlocked) throw new StoreError('locked', 'The store is closed.');
  }

  /** Stores observations; resolves with their ids and commit time once durable. */
  async addObservations(inputs: ObservationInput[]): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return obs.addObservations(this.#ctx, inputs);
  }

  /** Newest observations first. */
  async recentObservations(limit: number, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.recentObservations(this.#ctx, limit, options));
  }

  /** Observations of a visit in recording order. */
  async observationsByVisit(visitId: string, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.observationsByVisit(this.#ctx, visitId, options));
  }

  /** Observations of a patient in recording order. */
  async observationsByPatient(patientId: string, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.observationsByPatient(this.#ctx, patientId, options));
  }

  /** Observations whose effective time is in [from, to) (at most 31 days). */
  async observationsBetween(from: Date, to: Date, options?: ReadOptions): Promise<ObservationRecord[]> {
    this.#assertOpen();
    return Promise.resolve(obs.observationsBetween(this.#ctx, from, to, options));
  }

  /** Tracks a background task (rotation) so close() waits for it to reach a safe point. */
  protected track(task: Promise<unknown>): void {
    this.#background = task;
  }

  /** Resumes an interrupted key rotation (set up in rotation.ts). */
  resumeRotationInBackground(): void {
    // Filled in by the rotation module.
  }

  /**
   * Waits for pending writes to be durable, closes LMDB and erases every key from memory.
   * Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#background) await this.#background.catch(() => undefined);
    await this.#ctx.batcher.drain();
    await this.#ctx.dbs.env.close();
    forgetChainKey(this.#ctx.keyring);
    this.#ctx.keyring.lock();
  }
}
