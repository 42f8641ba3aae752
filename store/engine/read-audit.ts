import type { WriteBatcher } from './write-batcher.ts';
import type { WriteTx } from './write-tx.ts';

/**
 * The read side of the audit log, gathered compactly until the next commit. Readers never wait
 * for the audit write, so a caller loading visits in a tight loop can issue hundreds of reads
 * before a commit runs. Queuing one batcher operation per read kept every record id string (and
 * a closure and promise per call) alive across several young-generation collections: the GC
 * pauses behind the visit-load p99. Here the ids of all reads waiting for the same commit are
 * appended as bytes to one growable buffer per table, and one batcher operation per commit turns
 * them back into id lists. The resulting entries are the same as before: a commit already groups
 * its audit notes into one entry per actor, action and table.
 */
export class ReadAuditLog {
  readonly #batcher: WriteBatcher;
  readonly #actor: string;
  #tables = new Map<string, IdBytes>();
  #queued = false;

  constructor(batcher: WriteBatcher, actor: string) {
    this.#batcher = batcher;
    this.#actor = actor;
  }

  /** Notes that `ids` of `table` were read; written with the next commit. */
  note(table: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    let bytes = this.#tables.get(table);
    if (!bytes) {
      bytes = new IdBytes();
      this.#tables.set(table, bytes);
    }
    for (const id of ids) bytes.push(id);
    if (this.#queued) return;
    this.#queued = true;
    let taken: Map<string, IdBytes> | undefined;
    this.#batcher
      .enqueue((tx: WriteTx) => {
        // Taken once: if the batch is replayed (another operation failed), the same ids are
        // noted again in the replay instead of being lost.
        if (!taken) {
          taken = this.#tables;
          this.#tables = new Map();
          this.#queued = false;
        }
        for (const [name, list] of taken) tx.audit(this.#actor, 'read', name, list.ids());
      })
      .catch(() => {
        // A failed audit write fails the next write too and is surfaced there; reads must not crash.
      });
  }
}

/** Strings packed as (u16 length, UTF-8 bytes) into one buffer that doubles when full. */
class IdBytes {
  #buf = Buffer.allocUnsafe(4096);
  #used = 0;

  push(id: string): void {
    const need = 2 + id.length * 3;
    if (this.#used + need > this.#buf.byteLength) {
      const grown = Buffer.allocUnsafe(Math.max(this.#buf.byteLength * 2, this.#used + need));
      this.#buf.copy(grown, 0, 0, this.#used);
      this.#buf = grown;
    }
    const n = this.#buf.write(id, this.#used + 2, 'utf8');
    this.#buf.writeUInt16BE(n, this.#used);
    this.#used += 2 + n;
  }

  ids(): string[] {
    const out: string[] = [];
    for (let at = 0; at < this.#used;) {
      const n = this.#buf.readUInt16BE(at);
      out.push(this.#buf.toString('utf8', at + 2, at + 2 + n));
      at += 2 + n;
    }
    return out;
  }
}
