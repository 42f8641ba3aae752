import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { toHex } from '../../crypto/bytes.ts';
import { sealEnvelope } from '../../crypto/envelope.ts';
import type { Receipt, ReceiptState } from '../../crypto/receipt.ts';
import { LinkPriority } from '../../crypto/signed-item.ts';
import { decodeWire, encodeWire } from '../../crypto/wire-cbor.ts';
import type { RecordStore } from '../../store/index.ts';
import { nodeCompressor, worthCompressing } from './compression.ts';
import type { DeliveryRecord, DeliveryState } from './delivery.ts';
import { advance } from './delivery.ts';
import type { DirectoryPin } from './directory-pin.ts';
import type { EndpointIdentity } from './endpoint-identity.ts';
import type { ItemKind, RecordRef } from './items.ts';
import { RECEIPT_PRIORITY, RecordRef as RecordRefSchema, outboxPriority, priorityOf } from './items.ts';
import type { LinkKv, LinkTx } from './link-kv.ts';
import { deleteBlockRecords, putBlockRecords } from './link-kv.ts';
import { blockCount } from './frames.ts';
import { buildManifest, sha256Hex } from './manifest.ts';
import { OutboxQueue } from './outbox-queue.ts';
import { MAX_INLINE_BODY_BYTES, SendInputError } from './send-error.ts';

/** What the outbox needs of the record store. */
export type OutboxStore = LinkKv &
  Pick<RecordStore, 'enqueueOutbox' | 'peekOutbox' | 'ackOutbox' | 'readBlob'>;

/** An item to send. Small bodies travel in `body`; a stored blob (photo, ECG) by `attachmentId`. */
export interface SendInput {
  readonly kind: ItemKind;
  readonly to: string;
  readonly body?: Uint8Array;
  readonly attachmentId?: string;
  readonly media?: string;
  /** The item this one answers or belongs to (hex item id). */
  readonly ref?: string;
  /**
   * A reply's consultation by its envelope id (hex), put in the envelope's clear header: the hub
   * admits the reply only from the consultation's holder, and the kit checks it names `ref`.
   */
  readonly re?: string;
  readonly urgent?: boolean;
  /** For consultations: the records it carries and their SHA-256 (conclusions are checked against them). */
  readonly records?: readonly RecordRef[];
}

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
/** What the store's outbox holds for an item (sealed at rest by the store). */
const Payload = z.object({
  v: z.literal(1),
  itemId: bytes,
  kind: z.string(),
  to: z.string(),
  at: z.number(),
  pri: LinkPriority,
  ref: z.string().optional(),
  re: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  media: z.string().optional(),
  body: bytes.optional(),
  attachmentId: z.string().optional(),
  records: z.array(RecordRefSchema).optional(),
  /** A receipt travels as its own signed bytes. */
  receipt: bytes.optional(),
});
type Payload = z.infer<typeof Payload>;

export const stKey = (outboxId: string) => `st/${outboxId}`;
export const blocksPrefix = (outboxId: string) => `ob/${outboxId}/`;
export const manifestKey = (outboxId: string) => `om/${outboxId}`;

/**
 * The kit's side of sending: items go into the store's outbox (durable, priority-ordered), are
 * signed and sealed as soon as the directory names their recipient, and the sealed envelope's
 * blocks are kept until a hub or the recipient commits it, so a transfer resumes with the same
 * bytes (the same id) after a cut, a crash or on another carrier. Delivery states are stored with
 * each item and announced on every change.
 */
export class LinkOutbox {
  readonly #store: OutboxStore;
  readonly #identity: EndpointIdentity;
  readonly #pin: DirectoryPin;
  readonly #onState: (rec: DeliveryRecord) => void;
  readonly #records = new Map<string, DeliveryRecord>();
  readonly #byEnvelope = new Map<string, string>();
  readonly #byItem = new Map<string, string>();
  readonly #unsealed = new Map<string, Payload>();
  readonly #changeListeners = new Set<() => void>();
  #sealing: Promise<void> | undefined;
  #sealAgain = false;

  constructor(
    store: OutboxStore,
    identity: EndpointIdentity,
    pin: DirectoryPin,
    onState: (rec: DeliveryRecord) => void,
  ) {
    this.#store = store;
    this.#identity = identity;
    this.#pin = pin;
    this.#onState = onState;
    pin.onChange(() => this.seal());
  }

  /** Loads states and reconciles them with the outbox after a restart or a crash. */
  async start(): Promise<void> {
    for (const { body } of await this.#store.linkScan('st/')) this.#index(body as unknown as DeliveryRecord);
    const pending = await this.#store.peekOutbox(100_000);
    const present = new Set(pending.map((i) => i.id));
    for (const item of pending) {
      const payload = parsePayload(item.payload);
      if (!payload) continue;
      const rec = this.#records.get(item.id);
      if (!rec) {
        // The crash fell between the outbox commit and the state's: the item is stored, unsealed.
        const fresh = newRecord(item.id, payload);
        await this.#store.linkTransaction((tx) => tx.put(stKey(item.id), { ...fresh }));
        this.#index(fresh);
        this.#unsealed.set(item.id, payload);
      } else if (rec.state === 'stored') this.#unsealed.set(item.id, payload);
    }
    // Items the hub or recipient already committed whose outbox removal did not happen yet.
    for (const rec of this.#records.values())
      if (present.has(rec.outboxId) && rankAtLeast(rec.state, 'at_hub')) await this.#release(rec.outboxId);
    this.seal();
  }

  /** Queues an item: durable once this resolves (state `stored`, then `queued` once sealed). */
  async send(input: SendInput): Promise<DeliveryRecord> {
    if (input.body && input.body.byteLength > MAX_INLINE_BODY_BYTES)
      throw new SendInputError(
        'body_too_large',
        `a body of ${input.body.byteLength} bytes is over ${MAX_INLINE_BODY_BYTES}: store it as a blob and send its attachmentId`,
      );
    const payload: Payload = Payload.parse({
      v: 1,
      itemId: randomBytes(16),
      kind: input.kind,
      to: input.to,
      at: Date.now(),
      pri: priorityOf(input.kind, input.urgent),
      ...(input.ref ? { ref: input.ref } : {}),
      ...(input.re ? { re: input.re } : {}),
      ...(input.media ? { media: input.media } : {}),
      ...(input.body ? { body: input.body } : {}),
      ...(input.attachmentId ? { attachmentId: input.attachmentId } : {}),
      ...(input.records ? { records: [...input.records] } : {}),
    });
    return this.#enqueue(payload);
  }

  /** Queues a signed receipt to the envelope's sender. */
  async sendReceipt(receipt: Receipt): Promise<DeliveryRecord> {
    return this.#enqueue({
      v: 1,
      itemId: randomBytes(16),
      kind: 'receipt',
      to: receipt.fields.to,
      at: Date.now(),
      pri: RECEIPT_PRIORITY,
      receipt: receipt.bytes,
    });
  }

  async #enqueue(payload: Payload): Promise<DeliveryRecord> {
    const item = await this.#store.enqueueOutbox({
      priority: outboxPriority(payload.pri),
      kind: payload.kind,
      payload: encodeWire(payload),
      destination: payload.to,
    });
    const rec = newRecord(item.id, payload);
    await this.#store.linkTransaction((tx) => tx.put(stKey(item.id), { ...rec }));
    this.#index(rec);
    this.#unsealed.set(item.id, payload);
    this.#onState(rec);
    this.seal();
    return rec;
  }

  /** Every record, newest first (receipts excluded unless asked). */
  records(includeReceipts = false): DeliveryRecord[] {
    return [...this.#records.values()]
      .filter((r) => includeReceipts || r.kind !== 'receipt')
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** The record of an item by its item id (hex). */
  byItemId(itemId: string): DeliveryRecord | undefined {
    const id = this.#byItem.get(itemId);
    return id ? this.#records.get(id) : undefined;
  }

  /** The record of an item by its envelope id. */
  byEnvelopeId(envelopeId: string): DeliveryRecord | undefined {
    const id = this.#byEnvelope.get(envelopeId);
    return id ? this.#records.get(id) : undefined;
  }

  /** An outgoing queue for one session; `accepts` says which recipients it may carry. */
  queue(accepts: (rec: DeliveryRecord) => boolean, via: 'hub' | 'direct'): OutboxQueue {
    return new OutboxQueue(this, this.#store, accepts, via);
  }

  /** Sealed items waiting or in flight (for queues). */
  sendable(): DeliveryRecord[] {
    return [...this.#records.values()].filter(
      (r) => r.envelopeId && (r.state === 'queued' || r.state === 'sending'),
    );
  }

  /** Wakes queues (new sealed item, a refusal's retry time). */
  onChange(listener: () => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /** Change listeners registered now (leak tests: a closed session leaves none behind). */
  get listenerCount(): number {
    return this.#changeListeners.size;
  }

  /** @internal */
  changed(): void {
    for (const l of [...this.#changeListeners]) l();
  }

  /** Persists and announces a changed record. */
  async update(rec: DeliveryRecord, tx?: (t: LinkTx) => void): Promise<DeliveryRecord> {
    await this.#store.linkTransaction((t) => {
      t.put(stKey(rec.outboxId), { ...rec });
      tx?.(t);
    });
    this.#index(rec);
    this.#onState(rec);
    return rec;
  }

  /** Announces a record changed in memory only (progress between throttled writes). */
  announce(rec: DeliveryRecord): void {
    this.#index(rec);
    this.#onState(rec);
  }

  /** The current record of an outbox id. */
  get(outboxId: string): DeliveryRecord | undefined {
    return this.#records.get(outboxId);
  }

  /**
   * The recipient side committed the envelope: through the hub ('at_hub') or directly
   * ('delivered'). The outbox item is removed and the sealed blocks freed; the state stays.
   */
  async committed(envelopeId: string, via: 'hub' | 'direct'): Promise<void> {
    const rec = this.byEnvelopeId(envelopeId);
    if (!rec) return;
    await this.#settle(rec, advance(rec, via === 'hub' ? 'at_hub' : 'delivered') ?? rec);
  }

  /**
   * A verified receipt from the recipient moves the item's state (delivered, read, answered).
   * A receipt also proves the recipient holds the item, so an item whose commit never reached us
   * (the hub's STORED lost in a cut, the recipient's receipt arriving on the next session) is
   * settled here as if committed: left as it was, it would stay in the outbox, no longer
   * sendable, with its sealed blocks, until the next restart.
   */
  async receipted(outboxId: string, state: ReceiptState): Promise<void> {
    const rec = this.#records.get(outboxId);
    if (!rec) return;
    const next = advance(rec, state);
    if (rankAtLeast(rec.state, 'at_hub')) {
      if (next) await this.update(next);
      return;
    }
    await this.#settle(rec, next ?? rec);
  }

  /** Records `next`, frees the item's sealed blocks and manifest, and removes it from the outbox. */
  async #settle(rec: DeliveryRecord, next: DeliveryRecord): Promise<void> {
    await this.update({ ...next, bytesAcked: rec.size }, (t) => {
      deleteBlockRecords(t, blocksPrefix(rec.outboxId), rec.size);
      t.delete(manifestKey(rec.outboxId));
    });
    await this.#release(rec.outboxId);
  }

  async #release(outboxId: string): Promise<void> {
    await this.#store.ackOutbox(outboxId);
  }

  #index(rec: DeliveryRecord): void {
    this.#records.set(rec.outboxId, rec);
    this.#byItem.set(rec.itemId, rec.outboxId);
    if (rec.envelopeId) this.#byEnvelope.set(rec.envelopeId, rec.outboxId);
  }

  /** Seals every item whose recipient the directory names (runs one pass at a time). */
  seal(): void {
    if (this.#sealing) {
      this.#sealAgain = true;
      return;
    }
    this.#sealing = this.#sealPass()
      .catch(() => undefined)
      .finally(() => {
        this.#sealing = undefined;
        if (this.#sealAgain) {
          this.#sealAgain = false;
          this.seal();
        }
      });
  }

  /** Resolves when no sealing pass is running. */
  async sealed(): Promise<void> {
    while (this.#sealing) await this.#sealing;
  }

  async #sealPass(): Promise<void> {
    const order = [...this.#unsealed.keys()].sort();
    for (const outboxId of order) {
      const payload = this.#unsealed.get(outboxId);
      const rec = this.#records.get(outboxId);
      if (!payload || !rec) continue;
      const built = await this.#build(payload);
      if ('waiting' in built) {
        if (rec.waiting !== built.waiting) await this.update({ ...rec, waiting: built.waiting });
        continue;
      }
      const hashes = buildManifest(built.bytes);
      const queued = advance(rec, 'queued')!;
      await this.update({ ...queued, envelopeId: built.id, size: built.bytes.byteLength }, (t) => {
        t.put(manifestKey(outboxId), { hashes });
        putBlockRecords(t, blocksPrefix(outboxId), 0, blockCount(built.bytes.byteLength), built.bytes);
      });
      this.#unsealed.delete(outboxId);
      this.changed();
    }
  }

  async #build(p: Payload): Promise<{ bytes: Uint8Array; id: string } | { waiting: string }> {
    if (p.receipt) return { bytes: p.receipt, id: sha256Hex(p.receipt) };
    const dir = this.#pin.current;
    if (!dir) return { waiting: 'no verified directory yet' };
    const me = dir.deviceBySigningKey(this.#identity.signer.publicKey);
    if (!me) return { waiting: 'this device is not in the organisation directory' };
    const recipients = dir.sealingKeysFor(p.to);
    if (recipients.length === 0) return { waiting: `${p.to} is not in the organisation directory` };
    let body = p.body ?? new Uint8Array(0);
    if (p.attachmentId) {
      const parts: Uint8Array[] = [];
      for await (const part of this.#store.readBlob(p.attachmentId)) parts.push(part);
      body = Buffer.concat(parts);
    }
    const env = await sealEnvelope({
      item: {
        id: p.itemId,
        kind: p.kind,
        from: me.identity.id,
        to: p.to,
        at: p.at,
        pri: p.pri,
        ...(p.ref ? { ref: p.ref } : {}),
        ...(p.media ? { media: p.media } : {}),
        body,
      },
      signer: this.#identity.signer,
      recipients,
      ...(p.re ? { re: p.re } : {}),
      ...(worthCompressing(p.media) ? { compressor: nodeCompressor } : {}),
    });
    return { bytes: env.bytes, id: env.id };
  }
}

function parsePayload(bytes: Uint8Array): Payload | undefined {
  const decoded = decodeWire(bytes);
  const parsed = decoded.ok ? Payload.safeParse(decoded.value) : undefined;
  return parsed?.success ? parsed.data : undefined;
}

function newRecord(outboxId: string, p: Payload): DeliveryRecord {
  const createdAt = new Date(p.at).toISOString();
  return {
    outboxId,
    itemId: toHex(p.itemId),
    kind: p.kind,
    to: p.to,
    priority: p.pri,
    createdAt,
    state: 'stored',
    bytesAcked: 0,
    size: 0,
    ...(p.records ? { records: p.records } : {}),
    history: [{ state: 'stored', at: createdAt }],
  };
}

function rankAtLeast(state: DeliveryState, floor: DeliveryState): boolean {
  const order: readonly DeliveryState[] = [
    'stored',
    'queued',
    'sending',
    'at_hub',
    'delivered',
    'read',
    'answered',
  ];
  return order.indexOf(state) >= order.indexOf(floor);
}
