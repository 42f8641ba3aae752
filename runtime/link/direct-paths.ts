import type { HubSocketCarrier } from './carriers/hub-socket/hub-socket-carrier.ts';
import type { PeerFactory } from './carriers/webrtc/peer.ts';
import { SignalingClient } from './carriers/webrtc/signaling-client.ts';
import { WebRtcCarrier } from './carriers/webrtc/webrtc-carrier.ts';
import type { DirectLinkStatus } from './direct-link.ts';
import { DirectLink } from './direct-link.ts';
import type { LinkEndpoint } from './endpoint.ts';

/** Options of {@link DirectPaths}. */
export interface DirectPathsOptions {
  /** The hub (its certificate pinned): signaling goes through its /api/signal. */
  readonly hub: { readonly url: string; readonly certPem: string };
  /** Makes peer connections (default: @roamhq/wrtc, loaded on the first attempt). */
  readonly factory?: PeerFactory | (() => Promise<PeerFactory>);
  /** STUN/TURN servers (none on a LAN or loopback). */
  readonly iceServers?: { urls: string | string[] }[];
  /** Budget for one attempt: offer, answer, ICE, the channel opening (default 15 s). */
  readonly connectTimeoutMs?: number;
  /** Backoff between attempts to one console (defaults: DirectLink's, 0.5 s to 15 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly onStatus?: (peer: string, status: DirectLinkStatus) => void;
}

/**
 * The kit's direct paths to specialists' consoles: one DirectLink per specialist the kit has
 * something for (a consultation, a receipt), started the first time such an item is queued and
 * kept while the link runs. All share one signaling socket to the hub, authenticated with the
 * hub carrier's cached token. While a console is online and its path works, its items go direct;
 * the hub carries them when it is offline (the offer is answered 'unreachable' at once) or when
 * the path fails (heartbeats, one ICE restart, then new RTCPeerConnections with backoff).
 */
export class DirectPaths {
  readonly #endpoint: LinkEndpoint;
  readonly #options: DirectPathsOptions;
  readonly #signaling: SignalingClient;
  readonly #links = new Map<string, DirectLink>();
  #offChange: (() => void) | undefined;
  #stopped = false;

  constructor(endpoint: LinkEndpoint, hubCarrier: HubSocketCarrier, options: DirectPathsOptions) {
    this.#endpoint = endpoint;
    this.#options = options;
    this.#signaling = new SignalingClient({
      url: options.hub.url,
      certPem: options.hub.certPem,
      authenticate: (signal) => hubCarrier.authenticate(signal),
    });
  }

  /** The kit's signaling socket to the hub (live channels and calls share it). */
  get signaling(): SignalingClient {
    return this.#signaling;
  }

  /** The direct link to each specialist started so far. */
  get links(): ReadonlyMap<string, DirectLink> {
    return this.#links;
  }

  /** Starts watching the outbox for specialists to open a path to (idempotent). */
  start(): void {
    if (this.#offChange || this.#stopped) return;
    this.#offChange = this.#endpoint.outbox.onChange(() => this.#scan());
    this.#scan();
  }

  /** Stops every path and the signaling socket. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#offChange?.();
    this.#offChange = undefined;
    await Promise.all([...this.#links.values()].map((l) => l.stop()));
    await this.#signaling.stop();
  }

  #scan(): void {
    if (this.#stopped) return;
    const identities = this.#endpoint.pin.current?.fields.identities ?? [];
    for (const rec of this.#endpoint.outbox.sendable()) {
      if (this.#links.has(rec.to)) continue;
      if (!identities.some((i) => i.id === rec.to && i.role === 'specialist')) continue;
      this.#open(rec.to);
    }
  }

  #open(peer: string): void {
    const o = this.#options;
    const carrier = new WebRtcCarrier(peer, {
      signaling: this.#signaling,
      ...(o.factory ? { factory: o.factory } : {}),
      ...(o.iceServers ? { iceServers: o.iceServers } : {}),
      ...(o.connectTimeoutMs ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
    });
    const link = new DirectLink(this.#endpoint, carrier, peer, {
      ...(o.minBackoffMs !== undefined ? { minBackoffMs: o.minBackoffMs } : {}),
      ...(o.maxBackoffMs !== undefined ? { maxBackoffMs: o.maxBackoffMs } : {}),
      onStatus: (s) => o.onStatus?.(peer, s),
    });
    this.#links.set(peer, link);
    link.start();
  }
}
