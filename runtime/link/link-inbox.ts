import { fromHex, toHex } from '../../crypto/bytes.ts';
import { decryptEnvelope } from '../../crypto/envelope.ts';
import { isLinkCryptoError } from '../../crypto/link-error.ts';
import { looksLikeReceipt, signReceipt, verifyReceipt } from '../../crypto/receipt.ts';
import type { ReceiptState } from '../../crypto/receipt.ts';
import { parseSignedItem } from '../../crypto/signed-item.ts';
import type { SignedItemFields } from '../../crypto/signed-item.ts';
import { Bitset } from './bitset.ts';
import type { RemotePeer } from './carrier.ts';
import { nodeCompressor } from './compression.ts';
import type { DirectoryPin } from './directory-pin.ts';
import type { EndpointIdentity } from './endpoint-identity.ts';
import { RECEIPT_PRIORITY } from './items.ts';
import { blockCount } from './frames.ts';
import type { LinkKv, LinkTx } from './link-kv.ts';
import { deleteBlockRecords, putBlockRecords, readBlockRecords } from './link-kv.ts';
import type { LinkOutbox } from './link-outbox.ts';
import { sha256Hex } from './manifest.ts';
import type { RejectCode } from './reject.ts';
import { LinkRejectError } from './reject.ts';
import type { IncomingSink } from './transfer.ts';
import type { DeliveryRecord } from './delivery.ts';
import type { SentItem, Verdict, VerifyContext } from './verify-item.ts';
import type { InboxEntry } from './inbox-records.ts';
import { hasInboxEntry, putInboxEntry, readInboxEntries, readInboxEntry } from './inbox-records.ts';

export type { InboxEntry } from './inbox-records.ts';
import { verifyItem } from './verify-item.ts';

const itemKey = (itemId: string) => `ri/${itemId}`;
const receiptKey = (id: string) => `rr/${id}`;
const upKey = (id: string) => `iu/${id}`;
const bitsKey = (id: string) => `ih/${id}`;
const blocks = (id: string) => `ib/${id}/`;

/** Options of {@link LinkInbox}. */
export interface InboxOptions {
  readonly kv: LinkKv;
  readonly identity: EndpointIdentity;
  readonly pin: DirectoryPin;
  readonly outbox: LinkOutbox;
  /** Called once per newly stored item. */
  readonly onReceived: (entry: InboxEntry) => void;
}

/**
 * The receiving side of an endpoint (kit or console): partial objects kept block by block until
 * whole, then opened with the device key and checked against the pinned directory. Receipts move
 * our own items' delivery states; envelopes are stored (a bad one as unverified, with the reason,
 * and refused on the wire), answered with a signed 'delivered' receipt, and an answer marks the
 * item it answers. A re-sent envelope is a duplicate (idempotent); the same signed item in another
 * envelope is a replay and refused.
 */
export class LinkInbox implements IncomingSink {
  readonly #o: InboxOptions;
  /** Acceptances in progress, by object id (see #accept). */
  readonly #accepting = new Map<string, Promise<'stored' | 'duplicate'>>();

  constructor(options: InboxOptions) {
    this.#o = options;
  }

  async begin(id: string, size: number, hashes: Uint8Array): Promise<{ complete: boolean; have?: Bitset }> {
    const kv = this.#o.kv;
    if ((await hasInboxEntry(kv, id)) || (await kv.linkGet(receiptKey(id)))) return { complete: true };
    return kv.linkTransaction((tx) => {
      const up = tx.get(upKey(id));
      const n = blockCount(size);
      if (up && up.size === size) {
        const held = tx.get(bitsKey(id))?.bits;
        return { complete: false, have: new Bitset(n, held instanceof Uint8Array ? held : undefined) };
      }
      if (up && typeof up.size === 'number') deleteBlockRecords(tx, blocks(id), up.size);
      tx.put(upKey(id), { size, hashes });
      tx.put(bitsKey(id), { bits: new Bitset(n).bits });
      return { complete: false, have: new Bitset(n) };
    });
  }

  async putBlocks(id: string, first: number, count: number, data: Uint8Array): Promise<void> {
    await this.#o.kv.linkTransaction((tx) => {
      const up = tx.get(upKey(id));
      if (!up || typeof up.size !== 'number') return;
      const held = tx.get(bitsKey(id))?.bits;
      const have = new Bitset(blockCount(up.size), held instanceof Uint8Array ? held : undefined);
      putBlockRecords(tx, blocks(id), first, count, data);
      have.setRange(first, count);
      tx.put(bitsKey(id), { bits: have.bits });
    });
  }

  async finish(id: string, _from: RemotePeer): Promise<'stored' | 'duplicate'> {
    const up = await this.#o.kv.linkGet(upKey(id));
    if (!up || typeof up.size !== 'number') throw new LinkRejectError('unknown_item', 'no partial object');
    const size = up.size;
    const bytes = await readBlockRecords(this.#o.kv, blocks(id), size, 0, blockCount(size));
    const cleanup = (tx: LinkTx) => {
      deleteBlockRecords(tx, blocks(id), size);
      tx.delete(upKey(id));
      tx.delete(bitsKey(id));
    };
    if (sha256Hex(bytes) !== id) {
      await this.#o.kv.linkTransaction(cleanup);
      throw new LinkRejectError('id_mismatch', 'the blocks do not hash to the id');
    }
    return this.#accept(id, bytes, cleanup);
  }

  async putWhole(id: string, bytes: Uint8Array): Promise<'stored' | 'duplicate'> {
    return this.#accept(id, bytes);
  }

  /** Every stored item, oldest first. */
  async entries(): Promise<InboxEntry[]> {
    return readInboxEntries(this.#o.kv);
  }

  /** One stored item by its envelope id, or undefined. */
  async entry(envelopeId: string): Promise<InboxEntry | undefined> {
    return readInboxEntry(this.#o.kv, envelopeId);
  }

  /** Checks a stored item again against the pinned directory (offline). */
  async reverify(entry: InboxEntry): Promise<Verdict> {
    return verifyItem(
      parseSignedItem(entry.signed),
      entry.signed,
      entry.signature,
      this.#context(entry.header),
    );
  }

  #context(header: { to: string; pri: number; re?: string | undefined }): VerifyContext {
    const outbox = this.#o.outbox;
    const sentItem = (rec: DeliveryRecord | undefined): SentItem | undefined =>
      rec && { itemId: rec.itemId, kind: rec.kind, to: rec.to };
    return {
      directory: this.#o.pin.current,
      sentRecords: (itemId: string) => outbox.byItemId(itemId)?.records,
      header,
      sent: {
        byItemId: (itemId) => sentItem(outbox.byItemId(itemId)),
        byEnvelopeId: (envelopeId) => sentItem(outbox.byEnvelopeId(envelopeId)),
      },
    };
  }

  /** The envelope id an item we received came in (hex), or undefined: a reply's `re`. */
  async envelopeOf(itemId: string): Promise<string | undefined> {
    const env = (await this.#o.kv.linkGet(itemKey(itemId)))?.env;
    return typeof env === 'string' ? env : undefined;
  }

  /**
   * One acceptance per object id at a time: the same envelope can arrive on two carriers at
   * once (the hub's copy and the direct one), and both would pass the "already received?" check
   * before either committed, announcing the item twice. The later one waits and finds it stored.
   */
  async #accept(
    id: string,
    bytes: Uint8Array,
    cleanup?: (tx: LinkTx) => void,
  ): Promise<'stored' | 'duplicate'> {
    const before = this.#accepting.get(id);
    const run = (before ? before.catch(() => undefined) : Promise.resolve()).then(() =>
      this.#acceptNow(id, bytes, cleanup),
    );
    this.#accepting.set(id, run);
    try {
      return await run;
    } finally {
      if (this.#accepting.get(id) === run) this.#accepting.delete(id);
    }
  }

  async #acceptNow(
    id: string,
    bytes: Uint8Array,
    cleanup?: (tx: LinkTx) => void,
  ): Promise<'stored' | 'duplicate'> {
    try {
      if (looksLikeReceipt(bytes)) return await this.#receipt(id, bytes, cleanup);
      return await this.#envelope(id, bytes, cleanup);
    } catch (error) {
      if (error instanceof LinkRejectError) {
        if (cleanup) await this.#o.kv.linkTransaction(cleanup);
        throw error;
      }
      if (isLinkCryptoError(error)) {
        if (cleanup) await this.#o.kv.linkTransaction(cleanup);
        throw new LinkRejectError(cryptoCode(error.code), error.message);
      }
      throw error;
    }
  }

  async #receipt(
    id: string,
    bytes: Uint8Array,
    cleanup?: (tx: LinkTx) => void,
  ): Promise<'stored' | 'duplicate'> {
    if (await this.#o.kv.linkGet(receiptKey(id))) return 'duplicate';
    const receipt = await verifyReceipt(bytes);
    const dir = this.#o.pin.current;
    if (!dir?.isDeviceOf(receipt.fields.from, receipt.fields.key))
      throw new LinkRejectError('unknown_sender', `receipt signer is not a device of ${receipt.fields.from}`);
    const me = this.#me();
    if (receipt.fields.to !== me)
      throw new LinkRejectError('not_addressed', `receipt for ${receipt.fields.to}`);
    const rec = this.#o.outbox.byEnvelopeId(toHex(receipt.fields.env));
    if (rec && rec.to !== receipt.fields.from && !dir.recipientsOf(rec.to).includes(receipt.fields.from))
      throw new LinkRejectError('not_allowed', `${receipt.fields.from} was not a recipient of that item`);
    await this.#o.kv.linkTransaction((tx) => {
      tx.put(receiptKey(id), { at: new Date().toISOString(), state: receipt.fields.state });
      cleanup?.(tx);
    });
    if (rec) await this.#o.outbox.receipted(rec.outboxId, receipt.fields.state);
    return 'stored';
  }

  async #envelope(
    id: string,
    bytes: Uint8Array,
    cleanup?: (tx: LinkTx) => void,
  ): Promise<'stored' | 'duplicate'> {
    if (await hasInboxEntry(this.#o.kv, id)) return 'duplicate';
    const d = await decryptEnvelope(bytes, this.#o.identity.openers, nodeCompressor);
    const me = this.#me();
    const dir = this.#o.pin.current;
    if (!me || !dir || (d.header.to !== me && !dir.recipientsOf(d.header.to).includes(me)))
      throw new LinkRejectError('not_addressed', `addressed to ${d.header.to}`);
    const fields: SignedItemFields = parseSignedItem(d.signed);
    const itemId = toHex(fields.id);
    const seen = (await this.#o.kv.linkGet(itemKey(itemId)))?.env;
    if (typeof seen === 'string' && seen !== id)
      throw new LinkRejectError('replay', 'this signed item was already received in another envelope');
    const verdict = await verifyItem(fields, d.signed, d.signature, this.#context(d.header));
    const entry: InboxEntry = {
      envelopeId: id,
      itemId,
      kind: fields.kind,
      from: fields.from,
      to: fields.to,
      priority: fields.pri,
      sentAt: new Date(fields.at).toISOString(),
      receivedAt: new Date().toISOString(),
      ...(fields.ref ? { ref: fields.ref } : {}),
      ...(fields.media ? { media: fields.media } : {}),
      body: fields.body,
      signed: d.signed,
      signature: d.signature,
      header: { to: d.header.to, pri: d.header.pri, ...(d.header.re ? { re: d.header.re } : {}) },
      verdict,
    };
    await this.#o.kv.linkTransaction((tx) => {
      const key = putInboxEntry(tx, entry);
      tx.put(itemKey(itemId), { env: id });
      tx.audit('create', [key]);
      cleanup?.(tx);
    });
    this.#o.onReceived(entry);
    if (!verdict.verified) {
      // Kept (the clinician sees it, marked unverified with the reasons) but refused on the wire.
      throw new LinkRejectError(verdictCode(verdict), verdict.reasons.join('; ').slice(0, 190));
    }
    await this.#afterVerified(id, fields);
    return 'stored';
  }

  async #afterVerified(envelopeId: string, fields: SignedItemFields): Promise<void> {
    if (fields.ref) {
      const answered = this.#o.outbox.byItemId(fields.ref);
      if (answered && answered.to === fields.from)
        await this.#o.outbox.receipted(answered.outboxId, 'answered');
    }
    await this.sendReceipt(envelopeId, fields.from, 'delivered');
  }

  /** Signs and queues a receipt for an envelope we received (delivered, read, answered). */
  async sendReceipt(envelopeId: string, to: string, state: ReceiptState): Promise<void> {
    const me = this.#me();
    const env = fromHex(envelopeId);
    if (!me || !env) return;
    const receipt = await signReceipt(
      { env, state, at: Date.now(), from: me, to, pri: RECEIPT_PRIORITY },
      this.#o.identity.signer,
    );
    await this.#o.outbox.sendReceipt(receipt);
  }

  #me(): string | undefined {
    return this.#o.pin.current?.deviceBySigningKey(this.#o.identity.signer.publicKey)?.identity.id;
  }
}

/** The wire code of a failed verdict: its first reason's kind. */
function verdictCode(verdict: Verdict): RejectCode {
  const first = verdict.reasons[0]?.split(':')[0];
  if (first === 'bad_signature' || first === 'header_mismatch') return first;
  if (first === 'unknown_sender' || first === 'not_a_specialist') return 'unknown_sender';
  return 'unverified';
}

function cryptoCode(code: string) {
  switch (code) {
    case 'not_addressed':
    case 'decrypt_failed':
    case 'bad_signature':
    case 'header_mismatch':
    case 'too_large':
      return code;
    case 'unknown_sender':
      return 'unknown_sender';
    default:
      return 'malformed_object';
  }
}
