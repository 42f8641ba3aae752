import { WebSocket } from 'ws';
import type { ClientOptions } from 'ws';
import { TOKEN_PROTOCOL, pinnedTlsOptions } from '../hub-socket/hub-protocol.ts';
import type { SignalOut } from './signal-protocol.ts';
import { MAX_SIGNAL_BYTES, SIGNAL_PATH, SIGNAL_PROTOCOL, SignalIn, parseSignal } from './signal-protocol.ts';
import { CLIENT_SIGNAL_LIMIT, TokenBucket } from './signal-rate.ts';

/** Messages held back by pacing at most; beyond this a send fails (the caller's timeout handles it). */
const MAX_PACED = 2000;

/** Options of {@link SignalingClient}. */
export interface SignalingClientOptions {
  /** The hub's base URL (https). */
  readonly url: string;
  /** The hub's pinned certificate (PEM). */
  readonly certPem: string;
  /** A current bearer token (HubSocketCarrier.authenticate does the challenge and caches it). */
  readonly authenticate: (signal?: AbortSignal) => Promise<string>;
  /** Longest pause between reconnection attempts (default 4 s). */
  readonly maxBackoffMs?: number;
}

/** A message handler; return nothing. */
export type SignalListener = (msg: SignalIn) => void;

/**
 * This device's signaling socket to the hub, kept open (reconnecting with jittered backoff)
 * for as long as it runs. Messages that do not parse are counted and dropped. Listeners see
 * every message; carriers filter by session.
 */
export class SignalingClient {
  readonly #options: SignalingClientOptions;
  readonly #listeners = new Set<SignalListener>();
  readonly #abort = new AbortController();
  #ws: WebSocket | undefined;
  #ready: Promise<void>;
  #markReady: () => void = () => undefined;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  readonly #bucket = new TokenBucket(CLIENT_SIGNAL_LIMIT);
  /** Messages waiting for the pacing bucket, in order, for the socket they were accepted on. */
  #paced: string[] = [];
  #pacer: NodeJS.Timeout | undefined;
  /** Messages from the hub that were refused (not JSON, schema). */
  refused = 0;
  /** Signaling sockets opened so far. */
  opened = 0;

  constructor(options: SignalingClientOptions) {
    this.#options = options;
    this.#ready = new Promise((r) => (this.#markReady = r));
  }

  /** Starts the connect loop (idempotent) and resolves once a socket is open (or rejects on abort). */
  async start(signal?: AbortSignal): Promise<void> {
    this.#loop ??= this.#run();
    await this.ready(signal);
  }

  /** Resolves while a signaling socket is open. */
  ready(signal?: AbortSignal): Promise<void> {
    if (!signal) return this.#ready;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => reject(new Error('aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
      void this.#ready.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one message, paced to stay inside the hub's per-device rate (a burst of reconnects is
   * delayed, not refused); false when the socket is not open or too much is already waiting (the
   * caller's timeout handles it).
   */
  send(msg: SignalOut): boolean {
    const ws = this.#ws;
    if (ws?.readyState !== WebSocket.OPEN) return false;
    const text = JSON.stringify(msg);
    if (this.#paced.length === 0 && this.#bucket.take()) {
      ws.send(text);
      return true;
    }
    if (this.#paced.length >= MAX_PACED) return false;
    this.#paced.push(text);
    this.#schedulePacer();
    return true;
  }

  /** Messages waiting for the pacing bucket now. */
  get pacedCount(): number {
    return this.#paced.length;
  }

  #schedulePacer(): void {
    if (this.#pacer) return;
    this.#pacer = setTimeout(
      () => {
        this.#pacer = undefined;
        const ws = this.#ws;
        if (ws?.readyState !== WebSocket.OPEN) {
          this.#paced = [];
          return;
        }
        while (this.#paced.length > 0 && this.#bucket.take()) ws.send(this.#paced.shift()!);
        if (this.#paced.length > 0) this.#schedulePacer();
      },
      Math.max(1, this.#bucket.waitMs()),
    );
  }

  /** Subscribes to incoming messages; returns the unsubscribe function. */
  on(listener: SignalListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Listeners registered now (teardown tests check that none are left behind). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  /** Drops the socket now (the loop reconnects): a test's way to cut signaling. */
  drop(): void {
    this.#ws?.terminate();
  }

  /** Stops for good. */
  async stop(): Promise<void> {
    this.#abort.abort();
    clearTimeout(this.#pacer);
    this.#pacer = undefined;
    this.#paced = [];
    this.#ws?.terminate();
    this.#wake?.();
    await this.#loop;
    this.#listeners.clear();
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const token = await this.#options.authenticate(signal);
        const ws = await this.#open(token, signal);
        this.#ws = ws;
        this.opened++;
        failures = 0;
        this.#markReady();
        await new Promise<void>((resolve) => ws.once('close', () => resolve()));
        this.#ws = undefined;
        this.#paced = []; // addressed to sessions of the socket that closed
        this.#ready = new Promise((r) => (this.#markReady = r));
      } catch {
        failures++;
      }
      if (signal.aborted) break;
      const max = this.#options.maxBackoffMs ?? 4000;
      const base = Math.min(max, 200 * 2 ** Math.min(failures, 6));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, base / 2 + Math.random() * (base / 2));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #open(token: string, signal: AbortSignal): Promise<WebSocket> {
    const url = new URL(SIGNAL_PATH, this.#options.url);
    url.protocol = 'wss:';
    const ws = new WebSocket(url, [SIGNAL_PROTOCOL, `${TOKEN_PROTOCOL}${token}`], {
      ...(pinnedTlsOptions(this.#options.certPem) as unknown as Pick<
        ClientOptions,
        'ca' | 'checkServerIdentity'
      >),
      handshakeTimeout: 10_000,
      maxPayload: MAX_SIGNAL_BYTES,
      perMessageDeflate: false,
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.refused++;
        return;
      }
      const parsed = parseSignal(SignalIn, Buffer.from(data as Buffer).toString());
      if (!parsed.ok) {
        this.refused++;
        return;
      }
      for (const l of [...this.#listeners]) l(parsed.value);
    });
    ws.on('error', () => ws.terminate());
    return new Promise((resolve, reject) => {
      const onAbort = (): void => ws.terminate();
      signal.addEventListener('abort', onAbort, { once: true });
      ws.once('open', () => {
        signal.removeEventListener('abort', onAbort);
        resolve(ws);
      });
      ws.once('close', () => {
        signal.removeEventListener('abort', onAbort);
        reject(new Error('signaling socket closed before it opened'));
      });
      ws.once('unexpected-response', (_req, res) => {
        ws.terminate();
        reject(new Error(`the hub answered ${res.statusCode ?? '?'} to the signaling upgrade`));
      });
    });
  }
}
