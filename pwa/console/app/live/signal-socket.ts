import type { SignalOut } from '../../../../runtime/link/carriers/webrtc/signal-protocol.ts';
import {
  SIGNAL_PATH,
  SIGNAL_PROTOCOL,
  SignalIn,
  parseSignal,
} from '../../../../runtime/link/carriers/webrtc/signal-protocol.ts';
import { TOKEN_PROTOCOL } from '../../../../runtime/link/carriers/hub-socket/hub-wire.ts';

/** A handler of signaling messages from the hub. */
export type SignalHandler = (msg: SignalIn) => void;

/**
 * The console's signaling socket to the hub (the same relay the kit's direct carrier uses): a
 * WebSocket on the hub's origin, authenticated by the device's bearer token in a subprotocol,
 * kept open with backoff while something needs it. Every message from the hub is size- and
 * schema-checked (signal-protocol.ts); what does not parse is counted and dropped. Offers to the
 * console are declined (it offers, never answers).
 */
export class SignalSocket {
  readonly #origin: string;
  readonly #token: () => Promise<string>;
  readonly #handlers = new Set<SignalHandler>();
  readonly #openWaiters = new Set<() => void>();
  #ws: WebSocket | undefined;
  #running = false;
  #retryMs = 500;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Messages from the hub refused (not JSON, schema, size). */
  refused = 0;

  constructor(origin: string, token: () => Promise<string>) {
    this.#origin = origin;
    this.#token = token;
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Starts (idempotent) and resolves once open, or rejects after `timeoutMs`. */
  async ready(timeoutMs = 10_000): Promise<void> {
    if (!this.#running) {
      this.#running = true;
      void this.#connect();
    }
    if (this.isOpen) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#openWaiters.delete(done);
        reject(new Error('no signaling socket to the hub'));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#openWaiters.add(done);
    });
  }

  /** Subscribes; returns the unsubscribe. */
  on(handler: SignalHandler): () => void {
    this.#handlers.add(handler);
    return () => this.#handlers.delete(handler);
  }

  /** Sends one message; false when the socket is not open. */
  send(msg: SignalOut): boolean {
    if (!this.isOpen) return false;
    this.#ws!.send(JSON.stringify(msg));
    return true;
  }

  /** Closes for good. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#ws?.close(1000, 'console closing');
    this.#ws = undefined;
  }

  async #connect(): Promise<void> {
    if (!this.#running) return;
    try {
      const token = await this.#token();
      const url = `${this.#origin.replace(/^http/, 'ws')}${SIGNAL_PATH}`;
      const ws = new WebSocket(url, [SIGNAL_PROTOCOL, `${TOKEN_PROTOCOL}${token}`]);
      this.#ws = ws;
      ws.onopen = () => {
        this.#retryMs = 500;
        for (const w of [...this.#openWaiters]) w();
        this.#openWaiters.clear();
      };
      ws.onmessage = (event: MessageEvent) => {
        if (typeof event.data !== 'string') return void this.refused++;
        const parsed = parseSignal(SignalIn, event.data);
        if (!parsed.ok) return void this.refused++;
        const msg = parsed.value;
        // The console only offers (live channels, calls); the kit's direct link offers too, for
        // link items: refused at once, so the kit sends them through the hub without waiting out
        // its connect timeout.
        if (msg.kind === 'offer' && 'from' in msg) {
          ws.send(
            JSON.stringify({
              kind: 'bye',
              to: msg.from,
              session: msg.session,
              reason: 'the console takes link items through the hub',
            } satisfies SignalOut),
          );
          return;
        }
        for (const h of [...this.#handlers]) h(msg);
      };
      ws.onclose = () => {
        if (this.#ws === ws) this.#ws = undefined;
        this.#again();
      };
    } catch {
      this.#again();
    }
  }

  #again(): void {
    if (!this.#running) return;
    const wait = this.#retryMs;
    this.#retryMs = Math.min(8000, this.#retryMs * 2);
    this.#timer = setTimeout(() => void this.#connect(), wait / 2 + Math.random() * (wait / 2));
  }
}
