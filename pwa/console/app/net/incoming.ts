import { fromHex, toHex } from '../../../../crypto/bytes.ts';
import { getSodium } from '../../../../crypto/wasm-sodium.ts';
import type { Bitset } from '../../../../runtime/link/bitset.ts';
import type { Frame } from '../../../../runtime/link/frames.ts';
import { BLOCK_BYTES, HASH_BYTES, blockCount } from '../../../../runtime/link/frames.ts';
import type { RejectCode } from '../../../../runtime/link/reject.ts';
import type { Partials } from './partial-store.ts';

/** A refusal of a received object, sent back to the hub as a NACK with this code. */
export class ObjectRefusal extends Error {
  constructor(
    readonly code: RejectCode,
    detail: string,
  ) {
    super(detail);
    this.name = 'ObjectRefusal';
  }
}

/** Where whole received objects go (the console's state). */
export interface IncomingHandlers {
  /**
   * A whole object arrived (its SHA-256 already checked against its id). Resolve once it is
   * durably kept: only then is STORED sent and the hub may forget it. Throw an
   * {@link ObjectRefusal} to refuse it.
   */
  onObject(id: string, bytes: Uint8Array): Promise<'stored' | 'duplicate'>;
  /**
   * Whether the whole object is already kept: an OFFER of it is then answered STORED
   * 'duplicate' at once (the hub missed our STORED in a cut), not with a HAVE asking for it all.
   */
  holds?(id: string): Promise<boolean>;
}

interface Rx {
  readonly size: number;
  readonly hashes: Uint8Array;
  have: Bitset;
}

/**
 * The receiving half of the console's link session, as the kit's (runtime/link/receiver.ts):
 * an OFFER is answered with a HAVE naming the blocks already held in the partial store
 * (kept across cuts and reloads), so the hub sends only the rest; every chunk is checked against
 * the manifest before anything is kept, and acknowledged once kept; the whole object is checked
 * against its id before it is handed up, and STORED goes back once the handler made it durable.
 */
export class Incoming {
  readonly #send: (frame: Frame) => void;
  readonly #partials: Partials;
  readonly #handlers: IncomingHandlers;
  readonly #rx = new Map<string, Rx>();

  constructor(send: (frame: Frame) => void, partials: Partials, handlers: IncomingHandlers) {
    this.#send = send;
    this.#partials = partials;
    this.#handlers = handlers;
  }

  /** Processes one frame; callers run them one at a time, in arrival order. */
  async receive(f: Frame & { t: 'item' | 'offer' | 'chunk' }): Promise<void> {
    const hex = toHex(f.id);
    try {
      if (f.t === 'item') await this.#item(f.id, hex, f.bytes);
      else if (f.t === 'offer') await this.#offer(f.id, hex, f.size, f.hashes);
      else await this.#chunk(f.id, hex, f.first, f.data);
    } catch (error) {
      const refusal =
        error instanceof ObjectRefusal
          ? error
          : new ObjectRefusal('storage_failed', 'the console could not keep it; try again later');
      this.#rx.delete(hex);
      // Refused for good: its blocks are of no use. A failure to store keeps them for the retry.
      if (error instanceof ObjectRefusal) await this.#partials.drop(hex).catch(() => undefined);
      this.#send({
        t: 'nack',
        id: fromHex(hex) ?? f.id,
        code: refusal.code,
        detail: refusal.message.slice(0, 190),
      });
    }
  }

  async #item(id: Uint8Array, hex: string, bytes: Uint8Array): Promise<void> {
    const s = await getSodium();
    if (toHex(s.crypto_hash_sha256(bytes)) !== hex)
      throw new ObjectRefusal('id_mismatch', 'the item bytes do not hash to its id');
    this.#send({ t: 'stored', id, outcome: await this.#handlers.onObject(hex, bytes) });
  }

  async #offer(id: Uint8Array, hex: string, size: number, hashes: Uint8Array): Promise<void> {
    if (await this.#handlers.holds?.(hex)) {
      this.#rx.delete(hex);
      await this.#partials.drop(hex);
      this.#send({ t: 'stored', id, outcome: 'duplicate' });
      return;
    }
    const have = await this.#partials.begin(hex, size, hashes);
    this.#rx.set(hex, { size, hashes, have });
    this.#send({ t: 'have', id, complete: false, ranges: have.ranges() });
    if (have.full) await this.#finish(id, hex);
  }

  async #chunk(id: Uint8Array, hex: string, first: number, data: Uint8Array): Promise<void> {
    const rx = this.#rx.get(hex);
    if (!rx) {
      this.#send({ t: 'nack', id, code: 'unknown_item', detail: 'no OFFER for this object on this session' });
      return;
    }
    const total = blockCount(rx.size);
    const count = Math.ceil(data.byteLength / BLOCK_BYTES);
    const end = first + count;
    const expected = Math.min(rx.size, end * BLOCK_BYTES) - first * BLOCK_BYTES;
    if (end > total || data.byteLength !== expected) {
      // A bad chunk refuses the chunk, not the object: the sender may resend good data.
      this.#send({ t: 'nack', id, code: 'oversized_chunk', detail: 'chunk outside the object' });
      return;
    }
    const s = await getSodium();
    for (let i = 0; i < count; i++) {
      const block = data.subarray(i * BLOCK_BYTES, (i + 1) * BLOCK_BYTES);
      const want = rx.hashes.subarray((first + i) * HASH_BYTES, (first + i + 1) * HASH_BYTES);
      if (toHex(s.crypto_hash_sha256(block)) !== toHex(want)) {
        this.#send({ t: 'nack', id, code: 'hash_mismatch', detail: `block ${first + i}` });
        return;
      }
    }
    let already = true;
    for (let i = first; i < end; i++) already &&= rx.have.has(i);
    if (!already) {
      const have = await this.#partials.put(hex, rx.size, rx.hashes, first, count, data);
      // Blocks acknowledged before were dropped to keep the store in its limit: the sender holds
      // them as delivered, so refuse for now; its next OFFER learns what is really held.
      for (const [f, n] of rx.have.ranges())
        for (let i = f; i < f + n; i++) if (!have.has(i)) throw new Error('kept blocks were dropped');
      rx.have = have;
    }
    this.#send({ t: 'ack', id, first, count });
    if (rx.have.full) await this.#finish(id, hex);
  }

  async #finish(id: Uint8Array, hex: string): Promise<void> {
    this.#rx.delete(hex);
    const bytes = await this.#partials.read(hex);
    if (!bytes) {
      // Dropped or damaged under us (the store's limit, the browser clearing storage): start
      // again clean, so the hub's next OFFER is answered with what is really held, not a loop.
      await this.#partials.drop(hex);
      throw new Error('partial object lost');
    }
    const s = await getSodium();
    if (toHex(s.crypto_hash_sha256(bytes)) !== hex)
      throw new ObjectRefusal('id_mismatch', 'the blocks do not hash to the id');
    const outcome = await this.#handlers.onObject(hex, bytes);
    await this.#partials.drop(hex);
    this.#send({ t: 'stored', id, outcome });
  }
}
