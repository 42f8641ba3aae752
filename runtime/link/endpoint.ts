import type { ReceiptState } from '../../crypto/receipt.ts';
import type { CarrierConnection, CloseInfo } from './carrier.ts';
import type { DeliveryRecord } from './delivery.ts';
import { DirectoryPin } from './directory-pin.ts';
import type { EndpointIdentity } from './endpoint-identity.ts';
import type { InboxEntry } from './link-inbox.ts';
import { LinkInbox } from './link-inbox.ts';
import type { OutboxStore, SendInput } from './link-outbox.ts';
import { LinkOutbox } from './link-outbox.ts';
import type { LivenessOptions } from './liveness.ts';
import { LinkPacer } from './rate.ts';
import type { PacingOptions } from './rate.ts';
import { RejectCounters } from './reject.ts';
import { LinkSession } from './session.ts';
import { SentLedger } from './sent-ledger.ts';

/** Everything an endpoint announces (the kit forwards these to its live bus). */
export type LinkEvent =
  | { readonly type: 'state'; readonly record: DeliveryRecord }
  | { readonly type: 'received'; readonly entry: InboxEntry }
  | {
      readonly type: 'connection';
      readonly via: 'hub' | 'direct';
      readonly up: boolean;
      readonly reason?: string;
    };

/** Options of {@link LinkEndpoint}. */
export interface EndpointOptions {
  /** The endpoint's record store (outbox, link records, blobs). */
  readonly store: OutboxStore;
  readonly identity: EndpointIdentity;
  /** The organisation's public key this endpoint is configured with (pinned). */
  readonly orgKey: Uint8Array;
  readonly onEvent?: (event: LinkEvent) => void;
  readonly liveness?: LivenessOptions;
  readonly pacing?: PacingOptions;
  readonly log?: (message: string, detail: Record<string, unknown>) => void;
}

/**
 * One end of the link on a device (the kit, or a specialist's console or its simulation): the
 * pinned directory, the outbox with delivery states, the inbox, and sessions over any carrier.
 * The same code runs over the hub socket and over a direct WebRTC channel: a direct carrier plugs
 * in by calling {@link attach} with its connection and `via: 'direct'`.
 */
export class LinkEndpoint {
  readonly pin: DirectoryPin;
  readonly outbox: LinkOutbox;
  readonly inbox: LinkInbox;
  /** Refusals of bad input this endpoint sent, by code. */
  readonly counters = new RejectCounters();
  readonly #options: EndpointOptions;
  readonly #pacers = new Map<string, LinkPacer>();
  readonly #sessions = new Set<LinkSession>();
  /** Recipients with a direct session running (their items do not go through the hub). */
  readonly #directPeers = new Map<string, number>();
  readonly #ledger = new SentLedger();
  #closedBytes = 0;
  #sessionCount = 0;

  constructor(options: EndpointOptions) {
    this.#options = options;
    const emit = options.onEvent ?? (() => undefined);
    this.pin = new DirectoryPin(options.store, options.orgKey);
    this.outbox = new LinkOutbox(options.store, options.identity, this.pin, (record) =>
      emit({ type: 'state', record }),
    );
    this.inbox = new LinkInbox({
      kv: options.store,
      identity: options.identity,
      pin: this.pin,
      outbox: this.outbox,
      onReceived: (entry) => emit({ type: 'received', entry }),
    });
  }

  /** Loads the pinned directory (or pins the one given at set-up) and the outbox's states. */
  async start(initialDirectory?: Uint8Array): Promise<void> {
    await this.pin.load();
    if (initialDirectory && !this.pin.current) await this.pin.accept(initialDirectory, 'the set-up');
    await this.outbox.start();
  }

  /** This device's identity id in the pinned directory. */
  get identityId(): string | undefined {
    return this.pin.current?.deviceBySigningKey(this.#options.identity.signer.publicKey)?.identity.id;
  }

  /**
   * Bytes of chunks and whole items put on carriers so far, resends included; of them, bytes
   * sent again after a cut (blocks sent before, on this or an earlier connection: what cuts
   * cost); bytes of manifests offered again after a cut (framing, apart from payload); and
   * sessions opened.
   */
  get stats(): { bytesSent: number; bytesResent: number; bytesReoffered: number; sessions: number } {
    let live = 0;
    for (const s of this.#sessions) live += s.sender?.bytesSent ?? 0;
    return {
      bytesSent: this.#closedBytes + live,
      bytesResent: this.#ledger.resentBytes,
      bytesReoffered: this.#ledger.reofferedBytes,
      sessions: this.#sessionCount,
    };
  }

  /** Identities a direct session runs to right now. */
  get directPeers(): string[] {
    return [...this.#directPeers.keys()];
  }

  /** Sessions running right now (leak tests: closed sessions are forgotten). */
  get liveSessions(): number {
    return this.#sessions.size;
  }

  /**
   * Queues an item (durable on return). An answer to an item we received (`ref` names it) carries
   * that item's envelope id as `re` unless one is given: the hub's holder check and the kit's
   * reply binding both read it.
   */
  async send(input: SendInput): Promise<DeliveryRecord> {
    if (input.ref && !input.re) {
      const re = await this.inbox.envelopeOf(input.ref);
      if (re) return this.outbox.send({ ...input, re });
    }
    return this.outbox.send(input);
  }

  /** Signs and queues a receipt for a received envelope. */
  sendReceipt(envelopeId: string, to: string, state: ReceiptState): Promise<void> {
    return this.inbox.sendReceipt(envelopeId, to, state);
  }

  /**
   * Runs a link session over a connection. `via: 'direct'` carries only items addressed to
   * `peerIdentity` (the console at the other end); `via: 'hub'` carries every item whose
   * recipient has no direct session running, and takes a recipient's items back (from where the
   * hub's HAVE says) as soon as its last direct session ends.
   */
  attach(conn: CarrierConnection, via: 'hub' | 'direct', peerIdentity?: string): LinkSession {
    const pacerKey = `${via}:${peerIdentity ?? ''}`;
    let pacer = this.#pacers.get(pacerKey);
    if (!pacer) {
      pacer = new LinkPacer(this.#options.pacing);
      this.#pacers.set(pacerKey, pacer);
    }
    // An item goes direct while a direct session to its recipient runs, else through the hub.
    const queue = this.outbox.queue(
      (rec) => (via === 'hub' ? !this.#directPeers.has(rec.to) : rec.to === peerIdentity),
      via,
    );
    const directPeer = via === 'direct' ? peerIdentity : undefined;
    const session = new LinkSession(conn, {
      queue,
      sink: this.inbox,
      counters: this.counters,
      pacer,
      ledger: this.#ledger,
      ...(this.#options.liveness ? { liveness: this.#options.liveness } : {}),
      ...(this.#options.log ? { log: this.#options.log } : {}),
    });
    this.#sessions.add(session);
    this.#sessionCount++;
    if (directPeer) {
      this.#directPeers.set(directPeer, (this.#directPeers.get(directPeer) ?? 0) + 1);
      // The hub's sender lets go of this recipient's items it has not started.
      this.outbox.changed();
    }
    this.#options.onEvent?.({ type: 'connection', via, up: true });
    void session.closed.then((info: CloseInfo) => {
      this.#sessions.delete(session);
      this.#closedBytes += session.sender?.bytesSent ?? 0;
      if (directPeer) {
        const left = (this.#directPeers.get(directPeer) ?? 1) - 1;
        if (left > 0) this.#directPeers.set(directPeer, left);
        else this.#directPeers.delete(directPeer);
        // The direct path ended: the hub's session takes what it left, resuming from the HAVE.
        if (left <= 0) this.outbox.changed();
      }
      this.#options.onEvent?.({ type: 'connection', via, up: false, reason: info.reason });
    });
    return session;
  }

  /** Closes every session and waits for pending sealing. */
  async stop(): Promise<void> {
    for (const s of this.#sessions) s.close('endpoint stopping');
    await Promise.all([...this.#sessions].map((s) => s.closed));
    await this.outbox.sealed();
  }
}
