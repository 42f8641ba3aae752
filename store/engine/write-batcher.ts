import { StoreError } from '../errors.ts';
import type { WriteDeps } from './write-tx.ts';
import { WriteTx } from './write-tx.ts';

/**
 * What a batch's operations returned, by position; `failed` holds the errors of those that threw
 * (absent when none did). Plain arrays: these live until the flush, so no object per operation.
 */
type BatchResult = { values: unknown[]; failed: Map<number, unknown> | undefined; tx: WriteTx };

interface Pending {
  op: (tx: WriteTx) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** What the batcher needs of a {@link LaneGroup}, whatever its result type (method-bivariant). */
interface Joinable {
  run(tx: WriteTx): unknown[];
  resolveAll(values: readonly unknown[]): void;
  rejectAll(error: unknown): void;
}

/** Where {@link capture} leaves the functions of the promise just made (read at once). */
const captured: { resolve: (value: never) => void; reject: (error: unknown) => void } = {
  resolve: () => undefined,
  reject: () => undefined,
};

/** A promise executor that keeps nothing but hands its functions over through {@link captured}. */
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve;
  captured.reject = reject;
}

/**
 * Many small writes of one kind joined into ONE operation of the next transaction: a stream of
 * single readings would otherwise cost an operation each (a closure, a staging pass, an audit
 * note and a result slot per reading), work done inside the transaction, on the commit's critical
 * path. A group gathers its items outside the transaction (while the previous commit is being
 * flushed) and {@link LaneGroup.run}s them all at once. The group is one operation: it commits
 * whole or fails whole, and every caller that joined it gets that outcome.
 */
export abstract class LaneGroup<R> implements Joinable {
  readonly #resolves: ((value: R) => void)[] = [];
  readonly #rejects: ((error: unknown) => void)[] = [];

  /**
   * The outcome of the caller's item(s) just added: call once per caller, right after adding,
   * in the same synchronous step. Resolves once the transaction is durable.
   */
  settled(): Promise<R> {
    // A module-level executor: an arrow function here would be one more closure per caller.
    const promise = new Promise<R>(capture);
    this.#resolves.push(captured.resolve as (value: R) => void);
    this.#rejects.push(captured.reject);
    return promise;
  }

  /**
   * Writes every item inside the transaction and returns one result per {@link settled} call, in
   * order. May run twice (the batcher replays a batch when another operation of it threw), so it
   * must not change the group.
   */
  abstract run(tx: WriteTx): R[];

  /** Settles every caller with its result (after the flush). */
  resolveAll(values: readonly R[]): void {
    this.#resolves.forEach((resolve, i) => resolve(values[i] as R));
  }

  /** Settles every caller with the group's failure. */
  rejectAll(error: unknown): void {
    for (const reject of this.#rejects) reject(error);
  }
}

/**
 * Group commit. Operations issued while the previous commit is in progress share the next
 * transaction; an operation on an idle store starts its commit on the next event-loop turn.
 * Each caller's promise resolves only after its transaction is committed AND flushed to disk,
 * so "saved" is never reported for data a power cut could lose.
 */
export class WriteBatcher {
  readonly #deps: WriteDeps;
  #pending: Pending[] = [];
  #scheduled = false;
  #committing = false;
  #inFlight = new Set<Promise<void>>();
  // The group of each lane that the next transaction will run, while it still takes items.
  readonly #open = new Map<object, Joinable>();
  /** Transactions committed so far (observability and tests of batching). */
  commits = 0;

  constructor(deps: WriteDeps) {
    this.#deps = deps;
  }

  /** Runs `op` inside the next write transaction; resolves with its result once durable. */
  enqueue<T>(op: (tx: WriteTx) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.#schedule();
    });
  }

  /**
   * The group of `lane` (any object naming a kind of write) that the next transaction will run,
   * opened with `open` and queued as one operation if none is taking items yet. Add items to it
   * and take each caller's {@link LaneGroup.settled} in one synchronous step.
   */
  group<G extends Joinable>(lane: object, open: () => G): G {
    const current = this.#open.get(lane);
    if (current) return current as G;
    const group = open();
    this.#open.set(lane, group);
    this.#pending.push({
      op: (tx) => group.run(tx),
      resolve: (values) => group.resolveAll(values as readonly unknown[]),
      reject: (error) => group.rejectAll(error),
    });
    this.#schedule();
    return group;
  }

  #schedule(): void {
    if (this.#scheduled || this.#committing) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#startCommit();
    });
  }

  #startCommit(): void {
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    // The groups in this batch take no more items: later ones open groups of the next batch.
    this.#open.clear();
    this.#committing = true;
    const done = this.#commit(batch).finally(() => this.#inFlight.delete(done));
    this.#inFlight.add(done);
  }

  async #commit(batch: Pending[]): Promise<void> {
    let result: BatchResult;
    try {
      result = await this.#deps.dbs.env.transaction(() => this.#runBatch(batch));
      this.commits += 1;
    } catch (error) {
      const failure = await commitFailure(error);
      for (const p of batch) p.reject(failure);
      return;
    } finally {
      // The next batch may start committing while this one is being flushed.
      this.#committing = false;
      if (this.#pending.length > 0) this.#schedule();
    }
    try {
      await this.#deps.dbs.env.flushed;
      result.tx.durable();
      const { values, failed } = result;
      batch.forEach((p, i) => {
        if (failed?.has(i)) p.reject(failed.get(i));
        else p.resolve(values[i]);
      });
    } catch (error) {
      const failure = await commitFailure(error);
      for (const p of batch) p.reject(failure);
    }
  }

  /**
   * Runs a batch inside the write transaction, all-or-nothing per operation. First optimistically
   * as one nested (child) transaction; if any operation throws, that child is rolled back and the
   * batch is replayed with one child transaction per operation, so a failing operation loses
   * exactly its own writes and its companions still commit. Nothing partial is ever committed:
   * lmdb-js would otherwise commit the puts made before a throw.
   */
  #runBatch(batch: Pending[]): BatchResult {
    const env = this.#deps.dbs.env;
    try {
      return env.transactionSync(() => {
        const tx = new WriteTx(this.#deps);
        const values = batch.map((p) => {
          const value = p.op(tx);
          tx.commitStage();
          return value;
        });
        tx.finish();
        return { values, failed: undefined, tx };
      });
    } catch {
      return env.transactionSync(() => {
        const tx = new WriteTx(this.#deps);
        const failed = new Map<number, unknown>();
        const values = batch.map((p, i) => {
          try {
            const value = env.transactionSync(() => p.op(tx));
            tx.commitStage();
            return value;
          } catch (error) {
            tx.dropStage();
            failed.set(i, error);
            return undefined;
          }
        });
        tx.finish();
        return { values, failed, tx };
      });
    }
  }

  /** True while a write transaction is running or being flushed (its databases are in use). */
  get committing(): boolean {
    return this.#inFlight.size > 0;
  }

  /** Waits until every queued and in-flight write is durable (before close or backup). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#inFlight.size > 0 || this.#scheduled) {
      if (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
      else await new Promise((r) => setImmediate(r));
    }
  }
}

/**
 * The error a caller gets when LMDB refused a commit (a full or failing disk). lmdb-js rejects
 * the commit with a generic "Commit failed" error and keeps the cause in a separate `commitError`
 * promise, rejected in the same turn, that nobody else handles: left alone, that unhandled
 * rejection kills the process (found with the kit writing to a full tmpfs). It is handled here,
 * and the caller gets one typed `write_failed` naming the cause. Nothing of the batch was stored:
 * LMDB commits a transaction whole or not at all.
 */
async function commitFailure(error: unknown): Promise<unknown> {
  const pending = (error as { commitError?: unknown } | null)?.commitError;
  if (!(pending instanceof Promise)) return error;
  const cause = await Promise.race([
    pending.then(
      () => undefined,
      (reason: unknown) => reason,
    ),
    // Never wait on it longer than this turn: the cause is a detail, the refusal is what matters.
    new Promise<undefined>((resolve) => setImmediate(resolve, undefined)),
  ]);
  const detail = cause instanceof Error ? cause.message : 'no cause given';
  return new StoreError(
    'write_failed',
    `The disk refused the commit (${detail}); nothing of this write was stored.`,
    { cause: cause ?? error },
  );
}
