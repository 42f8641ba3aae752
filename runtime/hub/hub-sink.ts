import { toHex } from '../../crypto/bytes.ts';
import type { RemotePeer } from '../link/carrier.ts';
import { sha256Hex } from '../link/manifest.ts';
import { LinkRejectError } from '../link/reject.ts';
import type { IncomingSink } from '../link/transfer.ts';
import type { Mailbox, MailboxRoute } from './mailbox.ts';
import type { Router } from './router.ts';

/**
 * What the hub does with objects a device uploads: keep them in the mailbox (blocks durable
 * before each ACK), and once whole and hashing to their id, route and commit them (durable
 * before STORED). An id already delivered is a replay and refused; one still held is an
 * idempotent duplicate.
 */
export class HubSink implements IncomingSink {
  readonly #mailbox: Mailbox;
  readonly #router: Router;
  readonly #onStored: ((id: string, route: MailboxRoute) => Promise<void>) | undefined;
  readonly #admit: ((route: MailboxRoute) => Promise<void>) | undefined;

  /**
   * `onStored`: told of each newly stored object after it is durable (coordination). `admit`:
   * asked before an object is stored; throws a {@link LinkRejectError} to refuse it (a reply to
   * a consultation another specialist holds).
   */
  constructor(
    mailbox: Mailbox,
    router: Router,
    onStored?: (id: string, route: MailboxRoute) => Promise<void>,
    admit?: (route: MailboxRoute) => Promise<void>,
  ) {
    this.#mailbox = mailbox;
    this.#router = router;
    this.#onStored = onStored;
    this.#admit = admit;
  }

  async #stored(id: string, route: MailboxRoute, outcome: 'stored' | 'duplicate') {
    if (outcome === 'stored' && this.#onStored) await this.#onStored(id, route).catch(() => undefined);
    return outcome;
  }

  async begin(id: string, size: number, hashes: Uint8Array, from: RemotePeer) {
    const state = await this.#mailbox.begin(id, size, hashes, toHex(from.signingKey));
    if (state.state === 'gone') throw new LinkRejectError('replay', 'this object was already delivered');
    if (state.state === 'held') return { complete: true };
    if (state.state === 'partial') return { complete: false, have: state.have };
    return { complete: false };
  }

  async putBlocks(id: string, first: number, count: number, data: Uint8Array): Promise<void> {
    await this.#mailbox.putBlocks(id, first, count, data);
  }

  async finish(id: string, from: RemotePeer): Promise<'stored' | 'duplicate'> {
    const bytes = await this.#mailbox.readAll(id);
    try {
      if (sha256Hex(bytes) !== id)
        throw new LinkRejectError('id_mismatch', 'the blocks do not hash to the id');
      const route = await this.#router.route(bytes, toHex(from.signingKey));
      await this.#admit?.(route);
      return await this.#stored(id, route, await this.#mailbox.commit(id, route));
    } catch (error) {
      if (error instanceof LinkRejectError) await this.#mailbox.discard(id);
      throw error;
    }
  }

  async putWhole(id: string, bytes: Uint8Array, from: RemotePeer): Promise<'stored' | 'duplicate'> {
    const state = await this.#mailbox.state(id);
    if (state.state === 'gone') throw new LinkRejectError('replay', 'this object was already delivered');
    if (state.state === 'held') return 'duplicate';
    const route = await this.#router.route(bytes, toHex(from.signingKey));
    await this.#admit?.(route);
    return this.#stored(id, route, await this.#mailbox.putWhole(id, bytes, route));
  }
}
