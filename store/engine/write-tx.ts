import type { Keyring } from '../../crypto/keyring.ts';
import type { AuditHead } from '../audit/audit-chain.ts';
import type { BlindMemo } from './blind-memo.ts';
import { GENESIS, chainHashOf, encodeAuditEntry } from '../audit/audit-chain.ts';
import { decodeCbor, encodeCbor } from '../cbor.ts';
import type { Dbs } from './db.ts';
import { META } from './db.ts';
import { StoreError } from '../errors.ts';
import { KEY_BYTES, idOf, keyOf, seqOf, writeKey } from './ids.ts';
import type { KeyReservation } from './key-reservation.ts';
import { PostingBuffer, removePosting } from './postings.ts';
import { envelopeEpoch, openPlain, sealPlain, sealRecord } from './record-seal.ts';
import type { AuditAction, AuditBody } from '../schema/audit-entry.ts';
import type { BodyOf, TableDef, TableName } from '../tables.ts';
import { TABLES } from '../tables.ts';

/** What a write transaction works with, shared by every transaction of one open store. */
export interface WriteDeps {
  readonly dbs: Dbs;
  readonly keyring: Keyring;
  /** Ids handed out ahead of the transaction; the transaction tops the reservation up. */
  readonly keys: KeyReservation;
  readonly blinds: BlindMemo;
}

/**
 * One LMDB write transaction as the store's operations see it. Counters and the audit chain
 * head are read inside the transaction (so another process writing the same store cannot make
 * us reuse an id or fork the chain), and postings and audit entries are gathered and written
 * once at the end.
 */
export class WriteTx {
  /** Commit time of everything written in this transaction. */
  readonly now = new Date().toISOString();
  readonly #dbs: Dbs;
  readonly #keyring: Keyring;
  readonly #deps: WriteDeps;
  #seq: number | undefined;
  readonly #postings = new PostingBuffer();
  readonly #durable: (() => void)[] = [];
  readonly #audit = new Map<string, AuditGroup>();
  #lastGroup: AuditGroup | undefined;
  // What the running operation gathered; merged by commitStage() only if it succeeded.
  readonly #stage = emptyStage();

  constructor(deps: WriteDeps) {
    this.#deps = deps;
    this.#dbs = deps.dbs;
    this.#keyring = deps.keyring;
  }

  /** The dbs, for operations that need to read inside the transaction. */
  get dbs(): Dbs {
    return this.#dbs;
  }

  /** The keyring, for operations that compute blind terms. */
  get keyring(): Keyring {
    return this.#keyring;
  }

  /** Allocates the next record key (monotonic across all tables of the store). */
  nextKey(): Buffer {
    return keyOf(this.#takeSeq(1));
  }

  /** Takes `count` consecutive counters past the store's persisted counter; returns the first. */
  #takeSeq(count: number): number {
    if (this.#seq === undefined) {
      const raw = this.#dbs.meta.get(META.seq);
      this.#seq = raw ? seqOf(raw) : 0;
    }
    const first = this.#seq + 1;
    this.#seq += count;
    return first;
  }

  /**
   * Seals and writes a record body at the table's current schema version. `append` is for a
   * record whose key was just taken from {@link WriteTx.nextKey} in this transaction: it is then
   * the table's largest key, and LMDB can append without searching the tree.
   */
  putRecord<T extends TableName>(table: T, key: Buffer, body: BodyOf<T>, append = false): void {
    const def: TableDef = TABLES[table];
    const pack = def.pack;
    const packed = pack ? pack(body) : body;
    const value = sealRecord(this.#keyring, def.name, key, def.version, packed);
    this.#put(table, key, value, append);
  }

  /**
   * Writes a record sealed before the transaction began (ids from the key reservation). If the
   * data key rotated in between, it is re-sealed here under the current key: nothing reaches the
   * disk under a key that rotation may already have finished sweeping.
   */
  putSealed(table: TableName, key: Buffer, sealed: Buffer, append: boolean): void {
    let value = sealed;
    if (envelopeEpoch(sealed) !== this.#keyring.currentEpoch) {
      const { name, prefix } = TABLES[table];
      const { plain, version } = openPlain(this.#keyring, name, key, sealed, idOf(prefix, key));
      value = sealPlain(this.#keyring, name, key, version, plain);
    }
    this.#put(table, key, value, append);
  }

  /**
   * {@link WriteTx.putSealed} for the record of counter `seq` (sealed by `sealPlainAt`): its key is
   * written into a scratch buffer that LMDB copies during the put, so no key Buffer is kept.
   */
  putSealedAt(table: TableName, seq: number, sealed: Buffer, append: boolean): void {
    writeKey(SCRATCH_KEY, 0, seq);
    this.putSealed(table, SCRATCH_KEY, sealed, append);
  }

  /**
   * {@link WriteTx.putSealedAt} for a run of records (counters `seqs`, envelopes `sealed`, in
   * increasing counter order, all appended): the table and current key epoch are looked up once
   * for the run instead of once per record.
   */
  putSealedRun(table: TableName, seqs: readonly number[], sealed: readonly Buffer[]): void {
    const db = this.#dbs.tables[table];
    const epoch = this.#keyring.currentEpoch;
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i] as number;
      const value = sealed[i] as Buffer;
      writeKey(SCRATCH_KEY, 0, seq);
      // Sealed under a key that has rotated since: re-sealed, through the one-record path.
      if (envelopeEpoch(value) !== epoch) this.putSealed(table, SCRATCH_KEY, value, true);
      else if (!wrote(db.putSync(SCRATCH_KEY, value, APPEND))) this.#put(table, SCRATCH_KEY, value, false);
    }
  }

  #put(table: TableName, key: Buffer, value: Buffer, append: boolean): void {
    const db = this.#dbs.tables[table];
    // lmdb-js reports a refused append (a key not past the table's end) by returning false, not
    // by throwing: fall back to an ordinary insert rather than drop the record.
    if (append && wrote(db.putSync(key, value, APPEND))) return;
    if (!wrote(db.putSync(key, value)))
      throw new StoreError('write_failed', `Could not write ${table} ${idOf(TABLES[table].prefix, key)}.`, {
        table,
      });
  }

  /** A blind term (remembered across transactions: see {@link BlindMemo}). */
  blind(tag: string, value: string): Uint8Array {
    return this.#deps.blinds.term(tag, value);
  }

  /** Runs `fn` once this transaction is durable; never if it fails. */
  whenDurable(fn: () => void): void {
    this.#durable.push(fn);
  }

  /** Called by the batcher after the flush: runs the {@link WriteTx.whenDurable} callbacks. */
  durable(): void {
    for (const fn of this.#durable.splice(0)) fn();
  }

  /** Indexes a record key under a blind term (gathered, written at commit). */
  index(term: Uint8Array, key: Buffer): void {
    // Flat pairs (term, key, term, key, ...): no tuple allocated per posting.
    this.#stage.adds.push(term, key);
  }

  /**
   * Indexes many record keys under one blind term (a group of readings sharing their visit): one
   * staging step instead of one per key. `keys` is copied at commit, never kept or changed.
   */
  indexAll(term: Uint8Array, keys: readonly Buffer[]): void {
    this.#stage.lists.push({ term, keys });
  }

  /**
   * {@link WriteTx.indexAll} for the records of counters `seqs` (increasing): one staging step,
   * and no key Buffer per record. `seqs` is copied at commit, never kept or changed.
   */
  indexSeqs(term: Uint8Array, seqs: readonly number[]): void {
    this.#stage.seqLists.push({ term, seqs });
  }

  /** Removes a record key from a term's postings, written or still pending in this commit. */
  unindex(term: Uint8Array, key: Buffer): void {
    removePosting(this.#dbs.index, term, key);
    this.#stage.removes.push(term, key);
  }

  /** Notes an audited action; entries are grouped per actor, action and table per commit. */
  audit(actor: string, action: AuditAction, table: string, ids: readonly string[]): void {
    this.#stage.audits.push({ actor, action, table, ids });
  }

  /** Keeps what the operation that just succeeded gathered (postings, audit). */
  commitStage(): void {
    const { adds, lists, seqLists, removes, audits } = this.#stage;
    for (let i = 0; i < removes.length; i += 2)
      this.#postings.remove(removes[i] as Uint8Array, removes[i + 1] as Buffer);
    for (let i = 0; i < adds.length; i += 2) this.#postings.add(adds[i] as Uint8Array, adds[i + 1] as Buffer);
    for (const { term, keys } of lists) this.#postings.addAll(term, keys);
    for (const { term, seqs } of seqLists) this.#postings.addSeqs(term, seqs);
    for (const a of audits) this.#group(a.actor, a.action, a.table, a.ids);
    this.dropStage();
  }

  /** Forgets what a failed operation gathered (its database writes were rolled back). */
  dropStage(): void {
    // Emptied in place: one stage per transaction, not one allocation per operation.
    this.#stage.adds.length = 0;
    this.#stage.lists.length = 0;
    this.#stage.seqLists.length = 0;
    this.#stage.removes.length = 0;
    this.#stage.audits.length = 0;
  }

  #group(actor: string, action: AuditAction, table: string, ids: readonly string[]): void {
    // A batch is mostly one kind of operation: reuse the previous group without building its key.
    let entry = this.#lastGroup;
    if (!entry || entry.actor !== actor || entry.action !== action || entry.table !== table) {
      const group = `${actor}\u0000${action}\u0000${table}`;
      entry = this.#audit.get(group);
      if (!entry) {
        entry = { actor, action, table, ids: [] };
        this.#audit.set(group, entry);
      }
      this.#lastGroup = entry;
    }
    // One by one: a spread of a long id list would go through the argument stack.
    for (const id of ids) entry.ids.push(id);
  }

  /**
   * Writes postings, audit entries and the counter, and reserves ids for writes sealed ahead of
   * later transactions if the reservation asked; called once, last, inside the transaction.
   */
  finish(): void {
    this.commitStage();
    this.#postings.write(this.#dbs.index);
    if (this.#audit.size > 0) this.#appendAudit();
    const wanted = this.#deps.keys.claimRequest();
    if (wanted > 0) {
      const first = this.#takeSeq(wanted);
      this.whenDurable(() => this.#deps.keys.adopt(first, first + wanted - 1));
    }
    if (this.#seq !== undefined) this.#dbs.meta.putSync(META.seq, keyOf(this.#seq));
  }

  #appendAudit(): void {
    const raw = this.#dbs.meta.get(META.auditHead);
    const head = raw ? (decodeCbor(raw, { table: 'meta' }) as AuditHead) : { seq: 0, hash: GENESIS };
    let { seq, hash } = head;
    for (const { actor, action, table, ids } of this.#audit.values()) {
      seq += 1;
      const body: AuditBody = { seq, at: this.now, actor, action, table, recordIds: ids, prev: hash };
      const key = keyOf(seq);
      // The id list encoded once for the stored body and the chain hash (same bytes as encoding each).
      const { stored, canonical } = encodeAuditEntry(body);
      this.#dbs.tables.audit.putSync(
        key,
        sealPlain(this.#keyring, 'audit', key, TABLES.audit.version, stored),
      );
      hash = chainHashOf(this.#keyring, canonical);
    }
    this.#dbs.meta.putSync(META.auditHead, Buffer.from(encodeCbor({ seq, hash })));
    this.#audit.clear();
    this.#lastGroup = undefined;
  }
}

/** The key of {@link WriteTx.putSealedAt}'s put: LMDB copies it, so one serves every put. */
const SCRATCH_KEY = Buffer.alloc(KEY_BYTES);

/** Options of an appending put, allocated once (a put is made per record). */
const APPEND = { append: true } as const;

/** The audit notes of one commit for one actor, action and table. */
interface AuditGroup {
  actor: string;
  action: AuditAction;
  table: string;
  ids: string[];
}

/**
 * lmdb-js's putSync returns whether the put happened (false for a refused append or a failed
 * condition), though its type declarations say void.
 */
function wrote(result: void): boolean {
  return (result as unknown) === true;
}

function emptyStage() {
  return {
    adds: [] as (Uint8Array | Buffer)[],
    lists: [] as { term: Uint8Array; keys: readonly Buffer[] }[],
    seqLists: [] as { term: Uint8Array; seqs: readonly number[] }[],
    removes: [] as (Uint8Array | Buffer)[],
    audits: [] as { actor: string; action: AuditAction; table: string; ids: readonly string[] }[],
  };
}
