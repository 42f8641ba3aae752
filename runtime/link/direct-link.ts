import type { Carrier } from './carrier.ts';
import { CarrierError } from './carrier.ts';
import type { LinkEndpoint } from './endpoint.ts';
import type { LinkSession } from './session.ts';

/** What the direct link is doing. */
export type DirectLinkStatus =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'up'; readonly since: string }
  | { readonly state: 'down'; readonly reason: string; readonly retryInMs: number }
  | { readonly state: 'stopped' };

/** Options of {@link DirectLink}. */
export interface DirectLinkOptions {
  /** Shortest pause after a failure (default 500 ms). */
  readonly minBackoffMs?: number;
  /** Longest pause between attempts (default 15 s: an offline console is asked again, not hammered). */
  readonly maxBackoffMs?: number;
  readonly onStatus?: (status: DirectLinkStatus) => void;
}

/**
 * Keeps a direct path to one console open while the endpoint runs: connect through the direct
 * carrier (a new RTCPeerConnection each time, signaled through the hub), run a session carrying
 * only items addressed to that console until it ends (our heartbeats, after the carrier's one ICE
 * restart failed), then try again with jittered exponential backoff. Items not sent directly
 * still go through the hub; the receiver's HAVE makes either path resume where the other stopped.
 */
export class DirectLink {
  readonly #endpoint: LinkEndpoint;
  readonly #carrier: Carrier;
  readonly #peer: string;
  readonly #options: DirectLinkOptions;
  #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #session: LinkSession | undefined;
  #wake: (() => void) | undefined;
  #status: DirectLinkStatus = { state: 'stopped' };
  /** Sessions (peer connections) opened so far. */
  sessions = 0;

  constructor(
    endpoint: LinkEndpoint,
    carrier: Carrier,
    peerIdentity: string,
    options: DirectLinkOptions = {},
  ) {
    this.#endpoint = endpoint;
    this.#carrier = carrier;
    this.#peer = peerIdentity;
    this.#options = options;
  }

  get status(): DirectLinkStatus {
    return this.#status;
  }

  get session(): LinkSession | undefined {
    return this.#session;
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.#loop) return;
    this.#abort = new AbortController();
    this.#loop = this.#run();
  }

  /** Skips the current backoff pause. */
  retryNow(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#session?.close('stopping');
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
    this.#set({ state: 'stopped' });
  }

  #set(status: DirectLinkStatus): void {
    this.#status = status;
    this.#options.onStatus?.(status);
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      this.#set({ state: 'connecting', attempt: failures + 1 });
      let pause: number;
      try {
        const conn = await this.#carrier.connect(signal);
        if (signal.aborted) {
          conn.close('stopping');
          break;
        }
        const session = this.#endpoint.attach(conn, 'direct', this.#peer);
        this.#session = session;
        this.sessions++;
        const started = Date.now();
        this.#set({ state: 'up', since: new Date(started).toISOString() });
        const info = await session.closed;
        this.#session = undefined;
        failures = Date.now() - started > 10_000 ? 0 : failures + 1;
        pause = this.#backoff(failures);
        if (!signal.aborted) this.#set({ state: 'down', reason: info.reason, retryInMs: pause });
      } catch (error) {
        if (signal.aborted) break;
        failures++;
        pause = this.#backoff(failures);
        const reason = error instanceof CarrierError ? `${error.code}: ${error.message}` : String(error);
        this.#set({ state: 'down', reason, retryInMs: pause });
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }

  #backoff(failures: number): number {
    const min = this.#options.minBackoffMs ?? 500;
    const max = this.#options.maxBackoffMs ?? 15_000;
    const base = Math.min(max, min * 2 ** Math.min(failures, 8));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }
}
