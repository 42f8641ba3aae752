import { SseParser, type SseMessage } from './sse-parser.ts';

/** The channel's state as the screen shows it. */
export type ChannelStatus = 'connecting' | 'open' | 'offline' | 'unauthorized';

/** Options of {@link openLiveChannel}. */
export interface LiveChannelOptions {
  readonly url: string;
  readonly token: string;
  readonly onMessage: (m: SseMessage) => void;
  readonly onStatus: (s: ChannelStatus) => void;
  /** No byte for this long (the kit sends a heartbeat every 15 s) means the link is dead. */
  readonly silenceMs?: number;
  readonly fetch?: typeof fetch;
}

const BACKOFF_MS = [500, 1000, 2000, 5000];

/**
 * The tablet's one live stream: server-sent events read through `fetch()` so the bearer token
 * travels in the Authorization header (never in the URL). It reconnects after a drop with the
 * last event id (`Last-Event-ID`) so the kit replays what was missed; a `reset` event tells the
 * caller to reload instead. A 401 stops it (the tablet was revoked). Returns the stop function.
 */
export function openLiveChannel(options: LiveChannelOptions): () => void {
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const silenceMs = options.silenceMs ?? 40_000;
  let stopped = false;
  let lastId: string | undefined;
  let attempt = 0;
  let current: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const connectNow = () => {
    if (stopped || current) return;
    clearTimeout(retryTimer);
    void connect();
  };

  async function connect(): Promise<void> {
    const ac = new AbortController();
    current = ac;
    options.onStatus('connecting');
    let silence: ReturnType<typeof setTimeout> | undefined;
    const feel = () => {
      clearTimeout(silence);
      silence = setTimeout(() => ac.abort(), silenceMs);
    };
    try {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${options.token}`,
        Accept: 'text/event-stream',
      };
      if (lastId !== undefined) headers['Last-Event-ID'] = lastId;
      feel();
      const res = await doFetch(options.url, {
        headers,
        signal: ac.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
      if (res.status === 401) {
        stopped = true;
        options.onStatus('unauthorized');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      let opened = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        feel();
        for (const m of parser.push(value)) {
          if (m.id !== undefined) lastId = m.id;
          if (!opened) {
            opened = true;
            attempt = 0;
            options.onStatus('open');
          }
          if (m.event === 'unauthorized') {
            stopped = true;
            options.onStatus('unauthorized');
            ac.abort();
            return;
          }
          options.onMessage(m);
        }
      }
    } catch {
      // A dropped link, a dead Wi-Fi or an abort: reconnect below.
    } finally {
      clearTimeout(silence);
      current = null;
    }
    if (stopped) return;
    options.onStatus('offline');
    const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
    attempt += 1;
    retryTimer = setTimeout(connectNow, delay);
  }

  const onOnline = () => connectNow();
  globalThis.addEventListener?.('online', onOnline);
  connectNow();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    globalThis.removeEventListener?.('online', onOnline);
    current?.abort();
  };
}
