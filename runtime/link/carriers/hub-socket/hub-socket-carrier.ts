import { createHash, X509Certificate } from 'node:crypto';
import { Agent } from 'node:https';
import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { fromBase64Url, toBase64Url } from '../../../../crypto/bytes.ts';
import type { Signer } from '../../../../crypto/signed-item.ts';
import { LINK_PATH, LINK_PROTOCOL, TOKEN_PROTOCOL, authMessage, pinnedTlsOptions } from './hub-protocol.ts';
import type { Carrier, CarrierConnection } from '../../carrier.ts';
import { CarrierError } from '../../carrier.ts';
import { MAX_FRAME_BYTES } from '../../frames.ts';
import { classify, hubRequest } from './pinned-https.ts';
import type { CorkableSocket } from './ws-connection.ts';
import { WsConnection } from './ws-connection.ts';

/** Options of {@link HubSocketCarrier}. */
export interface HubSocketOptions {
  /** The hub's base URL, e.g. https://hub.example:8471. */
  readonly url: string;
  /** The hub's certificate (PEM), pinned: no other certificate is accepted. */
  readonly certPem: string;
  /** This device's Ed25519 key (the kit's identity, or a specialist device's). */
  readonly signer: Signer;
  /** Budget for authentication plus the WebSocket handshake (default 15 s). */
  readonly connectTimeoutMs?: number;
}

/**
 * The kit's (or a console's) connection to the hub's mailbox: authenticate with the device key
 * (challenge, signature, short-lived token over pinned HTTPS), then one WebSocket carrying link
 * frames. Used whenever the recipient is offline or the direct path fails; resumption after a
 * cut is the session's job (HAVE), detection of a dead path the heartbeats'.
 */
export class HubSocketCarrier implements Carrier {
  readonly name = 'hub-socket';
  readonly #options: HubSocketOptions;
  readonly #base: URL;
  /** The hub as a peer: identified by the SHA-256 of its pinned certificate. */
  readonly hubPeer: { signingKey: Uint8Array; identity: string };
  #agent: Agent;
  #token: { value: string; expires: number } | undefined;

  constructor(options: HubSocketOptions) {
    this.#options = options;
    this.#base = new URL(options.url);
    if (this.#base.protocol !== 'https:') throw new Error(`the hub URL must be https, got ${options.url}`);
    this.hubPeer = {
      signingKey: new Uint8Array(
        createHash('sha256').update(new X509Certificate(options.certPem).raw).digest(),
      ),
      identity: 'hub',
    };
    this.#agent = this.#newAgent();
  }

  #newAgent(): Agent {
    return new Agent({
      ...pinnedTlsOptions(this.#options.certPem),
      keepAlive: true,
      maxSockets: 2,
      timeout: 30_000,
    });
  }

  /** A request through the keep-alive agent; after a failure the agent's sockets are dropped. */
  async #request(path: string, init: Omit<Parameters<typeof hubRequest>[2], 'agent'>) {
    try {
      return await hubRequest(new URL(path, this.#base), this.#options.certPem, {
        ...init,
        agent: this.#agent,
      });
    } catch (error) {
      this.#agent.destroy();
      this.#agent = this.#newAgent();
      throw error;
    }
  }

  /** Drops the cached token and idle TLS sockets (on shutdown, or to force a new handshake). */
  dispose(): void {
    this.#token = undefined;
    this.#agent.destroy();
  }

  /**
   * A bearer token: the cached one while it has a minute left, else a fresh one (challenge,
   * signature). Requests reuse one TLS session through a keep-alive agent.
   */
  async authenticate(signal?: AbortSignal): Promise<string> {
    if (this.#token && this.#token.expires - Date.now() > 60_000) return this.#token.value;
    this.#token = undefined;
    const timeoutMs = this.#options.connectTimeoutMs ?? 15_000;
    const key = toBase64Url(this.#options.signer.publicKey);
    const asked = await this.#request('/api/auth/challenge', {
      method: 'POST',
      body: { key },
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    if (asked.status === 401)
      throw new CarrierError('unauthorized', 'the hub does not know this device (not enrolled, or revoked)');
    if (asked.status !== 200)
      throw new CarrierError('protocol', `the hub answered ${asked.status} to a challenge request`);
    const challenge = fromBase64Url(
      String((JSON.parse(asked.body.toString()) as { challenge?: unknown }).challenge),
    );
    if (challenge?.byteLength !== 32)
      throw new CarrierError('protocol', 'the hub sent a malformed challenge');
    const signature = await this.#options.signer.sign(authMessage(challenge, this.#options.signer.publicKey));
    const answered = await this.#request('/api/auth/token', {
      method: 'POST',
      body: { key, challenge: toBase64Url(challenge), signature: toBase64Url(signature) },
      timeoutMs,
      ...(signal ? { signal } : {}),
    });
    if (answered.status === 401) throw new CarrierError('unauthorized', 'the hub refused our signature');
    if (answered.status !== 200)
      throw new CarrierError('protocol', `the hub answered ${answered.status} to a token request`);
    const parsed = JSON.parse(answered.body.toString()) as { token?: unknown; expiresAt?: unknown };
    if (typeof parsed.token !== 'string') throw new CarrierError('protocol', 'the hub sent no token');
    const expires =
      typeof parsed.expiresAt === 'string' ? Date.parse(parsed.expiresAt) : Date.now() + 120_000;
    this.#token = { value: parsed.token, expires: Number.isFinite(expires) ? expires : Date.now() + 120_000 };
    return parsed.token;
  }

  /** The signed directory the hub serves (verify it against the pinned organisation key!). */
  async fetchDirectory(signal?: AbortSignal): Promise<Uint8Array | undefined> {
    const token = await this.authenticate(signal);
    const res = await this.#request('/api/directory', {
      method: 'GET',
      token,
      timeoutMs: this.#options.connectTimeoutMs ?? 15_000,
      ...(signal ? { signal } : {}),
    });
    if (res.status === 401) this.#token = undefined;
    if (res.status === 404) return undefined;
    if (res.status !== 200)
      throw new CarrierError('protocol', `the hub answered ${res.status} for the directory`);
    return new Uint8Array(res.body);
  }

  async connect(signal?: AbortSignal): Promise<CarrierConnection> {
    if (signal?.aborted) throw new CarrierError('aborted', 'aborted');
    const token = await this.authenticate(signal);
    const url = new URL(LINK_PATH, this.#base);
    url.protocol = 'wss:';
    const ws = new WebSocket(url, [LINK_PROTOCOL, `${TOKEN_PROTOCOL}${token}`], {
      // ws hands these to tls.connect (its typings describe an older checkServerIdentity).
      ...(pinnedTlsOptions(this.#options.certPem) as unknown as Pick<
        ClientOptions,
        'ca' | 'checkServerIdentity'
      >),
      handshakeTimeout: this.#options.connectTimeoutMs ?? 15_000,
      maxPayload: MAX_FRAME_BYTES,
      perMessageDeflate: false,
    });
    // Terminating a socket still connecting emits 'error' (ws aborts the handshake): a listener
    // that swallows it must stay, or the abandoned socket crashes the process.
    const discard = (): void => {
      ws.on('error', () => undefined);
      ws.terminate();
    };
    // The TLS socket under the WebSocket (the upgrade response's), for batching writes.
    let socket: CorkableSocket | undefined;
    ws.once('upgrade', (res) => (socket = res.socket));
    return new Promise<CarrierConnection>((resolve, reject) => {
      const onAbort = (): void => {
        cleanup();
        discard();
        reject(new CarrierError('aborted', 'aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => {
        signal?.removeEventListener('abort', onAbort);
        ws.off('open', onOpen);
        ws.off('error', onError);
        ws.off('unexpected-response', onUnexpected);
      };
      const onOpen = (): void => {
        cleanup();
        resolve(new WsConnection(ws, this.hubPeer, socket));
      };
      const onError = (error: Error): void => {
        cleanup();
        discard();
        reject(classify(error, signal));
      };
      const onUnexpected = (_req: unknown, res: { statusCode?: number }): void => {
        cleanup();
        if (res.statusCode === 401) this.#token = undefined;
        discard();
        reject(
          res.statusCode === 401
            ? new CarrierError('unauthorized', 'the hub refused the link connection')
            : new CarrierError('protocol', `the hub answered ${res.statusCode ?? '?'} to the link upgrade`),
        );
      };
      ws.once('open', onOpen);
      ws.once('error', onError);
      ws.once('unexpected-response', onUnexpected);
    });
  }
}
