import { ObservationInput } from '../schema/observation.ts';
import { checkObservation, checkObservationRecord } from '../schema/observation-check.ts';
import type { ObservationRecord } from '../schema/observation.ts';
import type { ReadOptions, StoreContext } from '../engine/context.ts';
import { auditedList, getById, readByTerm, readMany } from '../engine/reads.ts';
import { StoreError } from '../errors.ts';
import { idOf, idOfSeq } from '../engine/ids.ts';
import { encodeObservationBody } from './observation-cbor.ts';
import { sealPlainAt, sealedSize } from '../engine/record-seal.ts';
import { SealSlabs } from '../engine/seal-slabs.ts';
import { TABLES } from '../tables.ts';
import { LaneGroup } from '../engine/write-batcher.ts';
import type { WriteTx } from '../engine/write-tx.ts';
import { lookupPostings } from '../engine/postings.ts';
import { BLIND_TAGS, hourBucket, inHourBucket } from './blind-index.ts';
import type { z } from 'zod';
import type { ObservationBody } from '../schema/stored-observation.ts';

type StoredBody = z.output<typeof ObservationBody>;
type StoredInput = z.output<typeof ObservationInput>;

const T = 'observations';
const PREFIX = TABLES.observations.prefix;
const TAGS = BLIND_TAGS.observations;

/** Adds the id to a freshly decoded body in place (no copy: the body is ours alone). */
function shape(key: Buffer, body: StoredBody): ObservationRecord {
  const record = body as ObservationRecord;
  record.id = idOf(PREFIX, key);
  return record;
}

/** Validates inputs up front so a bad reading is rejected alone, before any transaction. */
export function parseObservations(inputs: readonly ObservationInput[]): z.output<typeof ObservationInput>[] {
  const out: StoredInput[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    out.push(checkObservation(input) ?? rejectedInput(input, i));
  }
  return out;
}

/**
 * {@link parseObservations} for the write path: each reading is made straight into its record,
 * with `recordedAt` and `id` empty until it is accepted (no validated copy and then a record).
 */
function parseRecords(inputs: readonly ObservationInput[]): ObservationRecord[] {
  // A plain loop: this runs once per reading (most calls carry one), without a callback per input,
  // into an array of the exact length (pushing into [] grows it to 17 slots for one reading).
  const n = inputs.length;
  const out = new Array<ObservationRecord>(n);
  for (let i = 0; i < n; i++) {
    const input = inputs[i];
    out[i] = checkObservationRecord(input) ?? recordOf(rejectedInput(input, i));
  }
  return out;
}

/**
 * Runs zod on an input the plain check refused, to name the failing fields. Zod and the check
 * agree (observation-check.test.ts), so zod's output is only a safety net.
 */
function rejectedInput(input: unknown, i: number): StoredInput {
  const parsed = ObservationInput.safeParse(input);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ');
    throw new StoreError('invalid_record', `Observation ${i} is invalid: ${fields}.`, { table: T });
  }
  return parsed.data;
}

/**
 * The readings that joined the next transaction, encoded, sealed and blind-indexed before it
 * (see addObservations): parallel arrays, and postings already gathered per term, so the
 * transaction only puts bytes, one index entry list per term and one audit note for them all.
 */
class ObservationGroup extends LaneGroup<ObservationRecord[]> {
  readonly #actor: string;
  // Record counters, not key Buffers: the key is written where it is needed (AAD, put, posting).
  readonly #seqs: number[] = [];
  readonly #sealed: Buffer[] = [];
  readonly #records: ObservationRecord[] = [];
  // Keyed by term object: the blind memo returns the same object for the same value.
  readonly #postings = new Map<Uint8Array, number[]>();
  // The posting list each tag last added to: consecutive readings nearly always repeat their
  // visit, patient and hour, which then costs a string compare instead of two map lookups.
  readonly #visit = new LastPosting();
  readonly #patient = new LastPosting();
  readonly #hour = new LastPosting();
  // Where each caller's records end in #records.
  readonly #ends: number[] = [];
  // The envelopes' memory, reused once the transaction has put them.
  readonly #slabs = new SealSlabs();

  constructor(actor: string) {
    super();
    this.#actor = actor;
  }

  /** Encodes, seals and indexes one reading (its record, id and recordedAt set) on counter `seq`. */
  add(ctx: StoreContext, body: ObservationRecord, seq: number): void {
    // The same terms as observationTerms (blind-index.ts), computed through the memo: the hot path.
    if (body.visitId !== null) this.#post(ctx, this.#visit, TAGS.visit, body.visitId, seq);
    if (body.patientId !== null) this.#post(ctx, this.#patient, TAGS.patient, body.patientId, seq);
    const hour = this.#hour;
    if (hour.value !== undefined && inHourBucket(body.effectiveAt, hour.value)) hour.seqs.push(seq);
    else this.#post(ctx, hour, TAGS.hour, hourBucket(body.effectiveAt), seq);
    // The encoder's output is a view into its scratch buffer: sealed (copied) before the next call.
    const plain = encodeObservationBody(body);
    const into = this.#slabs.take(sealedSize(plain.byteLength));
    this.#sealed.push(sealPlainAt(ctx.keyring, T, seq, TABLES.observations.version, plain, into));
    this.#seqs.push(seq);
    this.#records.push(body);
  }

  /** Closes one caller's share of the group (its readings since the previous call). */
  endCall(): Promise<ObservationRecord[]> {
    this.#ends.push(this.#records.length);
    return this.settled();
  }

  /** Posts counter `seq` under the term of `value` (tag `tag`), through the tag's last list. */
  #post(ctx: StoreContext, last: LastPosting, tag: string, value: string, seq: number): void {
    if (last.value === value) {
      last.seqs.push(seq);
      return;
    }
    const term = ctx.blinds.term(tag, value);
    let seqs = this.#postings.get(term);
    if (!seqs) {
      seqs = [];
      this.#postings.set(term, seqs);
    }
    seqs.push(seq);
    last.value = value;
    last.seqs = seqs;
  }

  run(tx: WriteTx): ObservationRecord[][] {
    tx.putSealedRun(T, this.#seqs, this.#sealed);
    for (const [term, termSeqs] of this.#postings) tx.indexSeqs(term, termSeqs);
    // The ids are read off the records here, once per commit, rather than kept in a list per reading.
    const records = this.#records;
    const ids: string[] = [];
    for (let i = 0; i < records.length; i++) ids.push((records[i] as ObservationRecord).id);
    tx.audit(this.#actor, 'create', T, ids);
    let from = 0;
    return this.#ends.map((end) => this.#records.slice(from, (from = end)));
  }

  override resolveAll(values: readonly ObservationRecord[][]): void {
    this.#slabs.release();
    super.resolveAll(values);
  }

  override rejectAll(error: unknown): void {
    this.#slabs.release();
    super.rejectAll(error);
  }
}

/** A group's posting list last added to under one tag, and the value it is for. */
class LastPosting {
  value: string | undefined = undefined;
  seqs: number[] = [];
}

/** Names the observation lane in the write batcher (one open group per transaction). */
const LANE = { lane: 'observations' } as const;

let lastMs = 0;
let lastIso = new Date(0).toISOString();

/** The current time as ISO 8601, formatted once per millisecond (readings arrive many per ms). */
function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/**
 * Stores observations encrypted and indexed (visit, patient, hour) and resolves once the commit
 * is durable. Concurrent calls share one transaction through the write batcher.
 *
 * The expensive part (encoding, sealing, blind terms) happens here, before the transaction, on
 * ids from the key reservation: while one commit is being flushed to disk, the readings that
 * arrive meanwhile are already sealed, and their transaction only puts bytes. Taking the ids and
 * enqueueing happen in one synchronous step, so ids reach the table in increasing order.
 * `recordedAt` is therefore the time the store accepted the reading, a few milliseconds before
 * its commit.
 */
export function addObservations(
  ctx: StoreContext,
  inputs: readonly ObservationInput[],
): Promise<ObservationRecord[]> {
  // Not an async function: this runs once per reading, and the fast path needs no extra promise.
  try {
    const valid = parseRecords(inputs);
    if (valid.length === 0) return Promise.resolve([]);
    const first = ctx.keys.take(valid.length);
    if (first === undefined) return addAfterRefill(ctx, valid);
    return enqueuePrepared(ctx, valid, first);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * The record of a reading zod accepted where the plain check did not (the safety net of
 * {@link rejectedInput}), in the shape {@link checkObservationRecord} makes: the input's fields,
 * then `recordedAt` and `id`, both empty until the reading is accepted.
 */
function recordOf(input: StoredInput): ObservationRecord {
  return {
    visitId: input.visitId,
    patientId: input.patientId,
    code: input.code,
    value: input.value,
    components: input.components,
    status: input.status,
    category: input.category,
    effectiveAt: input.effectiveAt,
    provenance: input.provenance,
    recordedAt: '',
    id: '',
  };
}

/** Only right after opening (or after a burst larger than the reserve): one extra commit. */
async function addAfterRefill(ctx: StoreContext, valid: ObservationRecord[]): Promise<ObservationRecord[]> {
  let first: number | undefined;
  while (first === undefined) {
    await ctx.keys.refill(valid.length, () => ctx.batcher.enqueue(() => undefined));
    first = ctx.keys.take(valid.length);
  }
  return enqueuePrepared(ctx, valid, first);
}

/**
 * Seals the readings on ids [first, ...] into the next transaction's observation group, in one
 * synchronous step (so ids reach the table in increasing order).
 */
function enqueuePrepared(
  ctx: StoreContext,
  valid: ObservationRecord[],
  first: number,
): Promise<ObservationRecord[]> {
  const recordedAt = nowIso();
  const group = ctx.batcher.group(LANE, () => new ObservationGroup(ctx.actor));
  for (let i = 0; i < valid.length; i++) {
    const seq = first + i;
    // Stamped in place: the fields exist (empty) since validation, so the record keeps its shape.
    const record = valid[i] as ObservationRecord;
    record.recordedAt = recordedAt;
    record.id = idOfSeq(PREFIX, seq);
    group.add(ctx, record, seq);
  }
  return group.endCall();
}

/** The newest observations first (by commit order, which the monotonic keys give for free). */
export function recentObservations(
  ctx: StoreContext,
  limit: number,
  options?: ReadOptions,
): ObservationRecord[] {
  const n = Math.max(0, Math.min(Math.floor(limit), 10_000));
  if (n === 0) return [];
  const keys = ctx.dbs.tables.observations.getKeys({ reverse: true, limit: n });
  return auditedList(ctx, T, readMany(ctx, T, keys, shape, options));
}

function byTerm(ctx: StoreContext, tag: string, value: string, options?: ReadOptions): ObservationRecord[] {
  return readByTerm(ctx, T, tag, value, shape, options);
}

/** All observations of a visit, oldest first. */
export function observationsByVisit(ctx: StoreContext, visitId: string, options?: ReadOptions) {
  return byTerm(ctx, TAGS.visit, visitId, options);
}

/** All observations of a patient, oldest first. */
export function observationsByPatient(ctx: StoreContext, patientId: string, options?: ReadOptions) {
  return byTerm(ctx, TAGS.patient, patientId, options);
}

/**
 * Observations whose effective time lies in [from, to): walks the hour buckets of the blind time
 * index (at most 31 days per call), then filters exactly after decrypting.
 */
export function observationsBetween(ctx: StoreContext, from: Date, to: Date, options?: ReadOptions) {
  const hours = Math.ceil((to.getTime() - from.getTime()) / 3_600_000);
  if (!(hours > 0)) return [];
  if (hours > 31 * 24)
    throw new StoreError('invalid_record', 'Time range too long: at most 31 days per lookup.', { table: T });
  const start = Math.floor(from.getTime() / 3_600_000) * 3_600_000;
  const keys: Buffer[] = [];
  for (let t = start; t < to.getTime(); t += 3_600_000)
    keys.push(
      ...lookupPostings(ctx.dbs.index, ctx.keyring.blind(TAGS.hour, hourBucket(new Date(t).toISOString()))),
    );
  keys.sort((a, b) => Buffer.compare(a, b));
  const out = readMany(ctx, T, keys, shape, options).filter((o) => {
    const t = Date.parse(o.effectiveAt);
    return t >= from.getTime() && t < to.getTime();
  });
  return auditedList(ctx, T, out);
}

/** One observation by id, or a `not_found` StoreError. */
export function getObservation(ctx: StoreContext, id: string): ObservationRecord {
  return getById(ctx, T, id, shape);
}
