import type { RemotePeer } from './carrier.ts';
import type { DeliveryRecord } from './delivery.ts';
import { advance } from './delivery.ts';
import type { LinkKv } from './link-kv.ts';
import { readBlockRecords } from './link-kv.ts';
import type { LinkOutbox } from './link-outbox.ts';
import { blocksPrefix, manifestKey } from './link-outbox.ts';
import type { RejectCode } from './reject.ts';
import type { OutgoingObject, OutgoingQueue } from './transfer.ts';

/** A refused item is offered again after this long (the refusal may be temporary: enrolment, disk). */
export const REFUSAL_RETRY_MS = 10 * 60_000;
/** Acknowledged bytes are written to the store at most this often per item (states are announced at once). */
const PROGRESS_WRITE_MS = 1000;

/**
 * The kit's sealed items as one session's outgoing queue (the hub's, or a direct one to a
 * console, which carries only what is addressed to that console). Progress, commits and
 * refusals become delivery states.
 */
export class OutboxQueue implements OutgoingQueue {
  readonly #outbox: LinkOutbox;
  readonly #kv: LinkKv;
  readonly #accepts: (rec: DeliveryRecord) => boolean;
  readonly #via: 'hub' | 'direct';
  readonly #lastWrite = new Map<string, number>();

  constructor(
    outbox: LinkOutbox,
    kv: LinkKv,
    accepts: (rec: DeliveryRecord) => boolean,
    via: 'hub' | 'direct',
  ) {
    this.#outbox = outbox;
    this.#kv = kv;
    this.#accepts = accepts;
    this.#via = via;
  }

  list(limit: number): Promise<OutgoingObject[]> {
    const now = Date.now();
    const ready = this.#outbox
      .sendable()
      .filter((r) => this.#accepts(r) && (!r.refusal || Date.parse(r.refusal.retryAt) <= now))
      .sort((a, b) => a.priority - b.priority || (a.outboxId < b.outboxId ? -1 : 1))
      .slice(0, limit);
    return Promise.resolve(
      ready.map((r) => ({
        id: r.envelopeId!,
        size: r.size,
        priority: r.priority,
        order: parseInt(r.outboxId.slice(4), 16),
        hashes: async () => {
          const h = (await this.#kv.linkGet(manifestKey(r.outboxId)))?.hashes;
          if (!(h instanceof Uint8Array)) throw new Error(`no manifest for ${r.outboxId}`);
          return h;
        },
        read: (first, count) => readBlockRecords(this.#kv, blocksPrefix(r.outboxId), r.size, first, count),
      })),
    );
  }

  onChange(listener: () => void): () => void {
    return this.#outbox.onChange(listener);
  }

  progress(id: string, ackedBytes: number): void {
    const rec = this.#outbox.byEnvelopeId(id);
    if (!rec || ackedBytes === rec.bytesAcked || (rec.state !== 'queued' && rec.state !== 'sending')) return;
    const base = advance(rec, 'sending') ?? rec;
    const { refusal: _r, ...next } = { ...base, bytesAcked: ackedBytes };
    const now = Date.now();
    const last = this.#lastWrite.get(rec.outboxId) ?? 0;
    if (rec.state === 'queued' || now - last >= PROGRESS_WRITE_MS || ackedBytes === rec.size) {
      this.#lastWrite.set(rec.outboxId, now);
      void this.#outbox.update(next).catch(() => undefined);
    } else this.#outbox.announce(next);
  }

  async stored(id: string, _outcome: 'stored' | 'duplicate', _by: RemotePeer): Promise<void> {
    this.#lastWrite.delete(id);
    await this.#outbox.committed(id, this.#via);
  }

  async rejected(id: string, code: RejectCode, detail: string): Promise<void> {
    // The hub refuses an envelope it already delivered as a replay: it has crossed.
    if (code === 'replay') return this.#outbox.committed(id, this.#via);
    const rec = this.#outbox.byEnvelopeId(id);
    if (!rec) return;
    const at = Date.now();
    await this.#outbox.update({
      ...rec,
      refusal: {
        code,
        detail,
        at: new Date(at).toISOString(),
        retryAt: new Date(at + REFUSAL_RETRY_MS).toISOString(),
      },
    });
    setTimeout(() => this.#outbox.changed(), REFUSAL_RETRY_MS + 10).unref();
  }
}
