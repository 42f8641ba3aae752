import { CarrierError } from './carrier.ts';
import type { HubSocketCarrier } from './carriers/hub-socket/hub-socket-carrier.ts';
import { DirectoryRefusedError } from './directory-pin.ts';
import type { LinkEndpoint } from './endpoint.ts';
import type { LinkSession } from './session.ts';

/** What the link to the hub is doing, for the log, the status route and tests. */
export type HubLinkStatus =
  | { readonly state: 'connecting'; readonly attempt: number }
  | { readonly state: 'up'; readonly since: string }
  | { readonly state: 'down'; readonly reason: string; readonly retryInMs: number }
  | { readonly state: 'refused'; readonly reason: string; readonly retryInMs: number }
  | { readonly state: 'stopped' };

/** Options of {@link HubLink}. */
export interface HubLinkOptions {
  /** Longest pause between attempts (default 4 s: a returning signal is used within seconds). */
  readonly maxBackoffMs?: number;
  /** Pause after the hub served a directory that did not verify (default 60 s). */
  readonly refusedBackoffMs?: number;
  readonly onStatus?: (status: HubLinkStatus) => void;
}

/**
 * Keeps an endpoint connected to its hub for as long as it runs: verify the directory the hub
 * serves against the pinned organisation key (a hub that serves a substituted key is refused and
 * not used), open the WebSocket, run a session until it ends (the peer, the carrier, or our
 * heartbeats), then try again with a short jittered backoff. Nothing is sent twice: the new
 * session resumes from the receiver's HAVE.
 */
export class HubLink {
  readonly #endpoint: LinkEndpoint;
  readonly #carrier: HubSocketCarrier;
  readonly #options: HubLinkOptions;
  #abort = new AbortController();
  #session: LinkSession | undefined;
  #loop: Promise<void> | undefined;
  #status: HubLinkStatus = { state: 'stopped' };
  #wake: (() => void) | undefined;
  /** Sessions opened so far. */
  sessions = 0;

  constructor(endpoint: LinkEndpoint, carrier: HubSocketCarrier, options: HubLinkOptions = {}) {
    this.#endpoint = endpoint;
    this.#carrier = carrier;
    this.#options = options;
  }

  /** The current status. */
  get status(): HubLinkStatus {
    return this.#status;
  }

  /** The running session, if connected. */
  get session(): LinkSession | undefined {
    return this.#session;
  }

  /** Starts the connect loop (idempotent). */
  start(): void {
    if (this.#loop) return;
    this.#abort = new AbortController();
    this.#loop = this.#run();
  }

  /** Cuts the current connection now (the loop reconnects): what a test does to simulate a cut. */
  dropConnection(reason = 'dropped'): void {
    this.#session?.close(reason);
  }

  /** Skips the current backoff pause. */
  retryNow(): void {
    this.#wake?.();
  }

  /** Stops: closes the session and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#session?.close('stopping');
    this.#wake?.();
    await this.#loop;
    this.#loop = undefined;
    this.#carrier.dispose();
    this.#set({ state: 'stopped' });
  }

  #set(status: HubLinkStatus): void {
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
        const directory = await this.#carrier.fetchDirectory(signal);
        if (directory) await this.#endpoint.pin.accept(directory, 'the hub');
        const conn = await this.#carrier.connect(signal);
        if (signal.aborted) {
          conn.close('stopping');
          break;
        }
        const session = this.#endpoint.attach(conn, 'hub');
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
        // Refusals that retrying soon cannot cure: a directory that does not verify, and a hub
        // that does not know this device (never enrolled, or revoked).
        if (error instanceof DirectoryRefusedError) {
          pause = this.#options.refusedBackoffMs ?? 60_000;
          this.#set({ state: 'refused', reason: error.message, retryInMs: pause });
        } else if (error instanceof CarrierError && error.code === 'unauthorized') {
          pause = this.#options.refusedBackoffMs ?? 60_000;
          this.#set({ state: 'refused', reason: `unauthorized: ${error.message}`, retryInMs: pause });
        } else {
          pause = this.#backoff(failures);
          const reason = error instanceof CarrierError ? `${error.code}: ${error.message}` : String(error);
          this.#set({ state: 'down', reason, retryInMs: pause });
        }
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
    const max = this.#options.maxBackoffMs ?? 4000;
    const base = Math.min(max, 250 * 2 ** Math.min(failures, 6));
    return Math.round(base / 2 + Math.random() * (base / 2));
  }
}
