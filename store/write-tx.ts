import type { Keyring } from '../crypto/keyring.ts';
import type { AuditHead } from './audit-chain.ts';
import { GENESIS, chainHash } from './audit-chain.ts';
import { decodeCbor, encodeCbor } from './cbor.ts';
import type { Dbs } from './db.ts';
import { META } from './db.ts';
import { keyOf, seqOf } from './ids.ts';
import { PostingBuffer, removePosting } from './postings.ts';
import { sealRecord } from './record-seal.ts';
import type { AuditAction, AuditBody } from './schema/audit-entry.ts';
import type { TableDef, TableName } from './tables.ts';
import { TABLES } from './tables.ts';

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
  #seq: number | undefined;
  readonly #postings = new PostingBuffer();
  readonly #blinds = new Map<string, Uint8Array>();
  readonly #audit = new Map<string, { actor: string; action: AuditAction; table: string; ids: string[] }>();
  // What the running operation gathered; merged by commitStage() only if it succeeded.
  readonly #stage = emptyStage();

  constructor(dbs: Dbs, keyring: Keyring) {
    this.#dbs = dbs;
    this.#keyring = keyring;
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
    if (this.#seq === undefined) {
      const raw = this.#dbs.meta.get(META.seq);
      this.#seq = raw ? seqOf(raw) : 0;
    }
    this.#seq += 1;
    return keyOf(this.#seq);
  }

  /**
   * Seals and writes a record body at the table's current schema version. `append` is for a
   * record whose key was just taken from {@link WriteTx.nextKey} in this transaction: it is then
   * the table's largest key, and LMDB can append without searching the tree.
   */
  putRecord(table: TableName, key: Buffer, body: unknown, append = false): void {
    const def = TABLES[table];
    const pack = (def as TableDef).pack;
    const packed = pack ? pack(body) : body;
    const value = sealRecord(this.#keyring, def.name, key, def.version, packed);
    if (append) this.#dbs.tables[table].putSync(key, value, { append: true });
    else this.#dbs.tables[table].putSync(key, value);
  }

  /**
   * A blind term, memoised for the transaction: a batch of readings mostly shares its visit,
   * patient and hour, so most terms are computed once per commit instead of once per record.
   */
  blind(tag: string, value: string): Uint8Array {
    const memo = `${tag}\u0000${value}`;
    let term = this.#blinds.get(memo);
    if (!term) {
      term = this.#keyring.blind(tag, value);
      this.#blinds.set(memo, term);
    }
    return term;
  }

  /** Indexes a record key under a blind term (gathered, written at commit). */
  index(term: Uint8Array, key: Buffer): void {
    this.#stage.adds.push([term, key]);
  }

  /** Removes a record key from a term's postings, written or still pending in this commit. */
  unindex(term: Uint8Array, key: Buffer): void {
    removePosting(this.#dbs.index, term, key);
    this.#stage.removes.push([term, key]);
  }

  /** Notes an audited action; entries are grouped per actor, action and table per commit. */
  audit(actor: string, action: AuditAction, table: string, ids: readonly string[]): void {
    this.#stage.audits.push({ actor, action, table, ids });
  }

  /** Keeps what the operation that just succeeded gathered (postings, audit). */
  commitStage(): void {
    const { adds, removes, audits } = this.#stage;
    for (const [term, key] of removes) this.#postings.remove(term, key);
    for (const [term, key] of adds) this.#postings.add(term, key);
    for (const a of audits) this.#group(a.actor, a.action, a.table, a.ids);
    this.dropStage();
  }

  /** Forgets what a failed operation gathered (its database writes were rolled back). */
  dropStage(): void {
    // Emptied in place: one stage per transaction, not one allocation per operation.
    this.#stage.adds.length = 0;
    this.#stage.removes.length = 0;
    this.#stage.audits.length = 0;
  }

  #group(actor: string, action: AuditAction, table: string, ids: readonly string[]): void {
    const group = `${actor}\u0000${action}\u0000${table}`;
    let entry = this.#audit.get(group);
    if (!entry) {
      entry = { actor, action, table, ids: [] };
      this.#audit.set(group, entry);
    }
    entry.ids.push(...ids);
  }

  /** Writes postings, audit entries and the counter; called once, last, inside the transaction. */
  finish(): void {
    this.commitStage();
    this.#postings.write(this.#dbs.index);
    if (this.#audit.size > 0) this.#appendAudit();
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
      this.#dbs.tables.audit.putSync(
        key,
        sealRecord(this.#keyring, 'audit', key, TABLES.audit.version, body),
      );
      hash = chainHash(this.#keyring, body);
    }
    this.#dbs.meta.putSync(META.auditHead, Buffer.from(encodeCbor({ seq, hash })));
    this.#audit.clear();
  }
}

function emptyStage() {
  return {
    adds: [] as [Uint8Array, Buffer][],
    removes: [] as [Uint8Array, Buffer][],
    audits: [] as { actor: string; action: AuditAction; table: string; ids: readonly string[] }[],
  };
}
