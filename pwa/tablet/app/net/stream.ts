import type { WireEvents } from '../../../../runtime/http/wire.ts';
import { SseParser } from './sse-parser.ts';

/** One message of the live channel, by event name. */
export type LiveMessage = {
  [K in keyof WireEvents]: { readonly type: K; readonly data: WireEvents[K] };
}[keyof WireEvents];

/** The channel's state as the status bar shows it; `unauthorized`: the kit refused the token. */
export type StreamStatus = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** What the stream needs from its surroundings (tests pass their own). */
export interface LiveStreamOptions {
  readonly url: string;
  /** The paired tablet's bearer token, sent in the Authorization header (never in the URL). */
  readonly token?: () => string | null;
  readonly onMessage: (message: LiveMessage) => void;
  readonly onStatus: (status: StreamStatus) => void;
  /**
   * Called after every (re)connection the kit could not fill in from its journal, and on a
   * `reset` event: the app fetches what it missed while away.
   */
  readonly onResume: () => void;
  /** No byte for this long (the kit sends heartbeats) means the link is dead: reconnect. */
  readonly silenceMs?: number;
  readonly fetch?: typeof fetch;
  readonly document?: Document;
  readonly window?: Window;
}

/** The only event names accepted; anything else from the channel is ignored. */
const KNOWN: readonly (keyof WireEvents)[] = [
  'hello',
  'observations',
  'preview',
  'instrument',
  'dropped',
  'store-error',
  'storage',
  'visit',
  'waveform',
  'pairing',
  'consultation',
  'call',
  'link-status',
];

const ARRAY_EVENTS = new Set<keyof WireEvents>(['observations']);

/** Accepts a message only if its name is known and its payload has the expected outer shape. */
export function processMessage(type: string, raw: string): LiveMessage | null {
  if (!(KNOWN as readonly string[]).includes(type)) return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return null;
  }
  const name = type as keyof WireEvents;
  const shapeOk = ARRAY_EVENTS.has(name)
    ? Array.isArray(data)
    : typeof data === 'object' && data !== null && !Array.isArray(data);
  return shapeOk ? ({ type: name, data } as LiveMessage) : null;
}

/** Longest wait between reconnection attempts. */
const MAX_BACKOFF_MS = 10_000;

/**
 * THE live channel of the tablet (one per app): server-sent events read through `fetch()`, so
 * the bearer token travels in the Authorization header (EventSource cannot send one). Accepts
 * only known events; remembers the last event id and sends it as `Last-Event-ID` on reconnect so
 * the kit replays what was missed (a `reset`, or a hello that says it did not resume, makes the
 * app fetch instead); pauses while the page is hidden or frozen; reconnects with backoff (at
 * once when the network returns); stops on 401 (`unauthorized`: the tablet must pair again).
 */
export function createLiveStream(options: LiveStreamOptions): { start(): void; stop(): void } {
  const doc = options.document ?? document;
  const win = options.window ?? window;
  const doFetch = options.fetch ?? fetch.bind(globalThis);
  const silenceMs = options.silenceMs ?? 40_000;
  let current: AbortController | null = null;
  let running = false;
  let backoff = 500;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let lastId: string | undefined;

  const close = () => {
    clearTimeout(retry);
    current?.abort();
    current = null;
  };

  async function connect(ac: AbortController): Promise<'retry' | 'stop'> {
    let silence: ReturnType<typeof setTimeout> | undefined;
    const feel = () => {
      clearTimeout(silence);
      silence = setTimeout(() => ac.abort(), silenceMs);
    };
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      const token = options.token?.();
      if (token) headers.authorization = `Bearer ${token}`;
      if (lastId !== undefined) headers['last-event-id'] = lastId;
      feel();
      const res = await doFetch(options.url, {
        headers,
        signal: ac.signal,
        cache: 'no-store',
        credentials: 'omit',
      });
      if (res.status === 401) return 'stop';
      if (!res.ok || !res.body) return 'retry';
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const parser = new SseParser();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'retry';
        feel();
        for (const m of parser.push(value)) {
          if (m.id !== undefined) lastId = m.id;
          if (m.event === 'unauthorized') return 'stop';
          if (m.event === 'hello') {
            backoff = 500;
            options.onStatus('open');
          }
          if (m.event === 'reset') {
            options.onResume();
            continue;
          }
          const message = processMessage(m.event, m.data);
          if (!message) continue;
          options.onMessage(message);
          // The kit replayed what was missed when it says so; otherwise fetch it.
          if (message.type === 'hello' && (message.data as { resumed?: boolean }).resumed !== true)
            options.onResume();
        }
      }
    } catch {
      return 'retry'; // a dropped link, a dead Wi-Fi, silence, an oversized line or our own abort
    } finally {
      clearTimeout(silence);
    }
  }

  const open = () => {
    close();
    if (!running || doc.visibilityState === 'hidden') return;
    options.onStatus('connecting');
    const ac = new AbortController();
    current = ac;
    void connect(ac).then((outcome) => {
      if (current !== ac) return; // closed or replaced meanwhile
      current = null;
      if (outcome === 'stop') {
        detach();
        options.onStatus('unauthorized');
        return;
      }
      options.onStatus('closed');
      retry = setTimeout(open, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    });
  };

  const onVisibility = () => (doc.visibilityState === 'hidden' ? close() : open());
  const onOnline = () => {
    backoff = 500;
    open();
  };
  const onFreeze = () => close();
  function detach(): void {
    running = false;
    doc.removeEventListener('visibilitychange', onVisibility);
    doc.removeEventListener('freeze', onFreeze);
    doc.removeEventListener('resume', onVisibility);
    win.removeEventListener('online', onOnline);
    close();
  }

  return {
    start() {
      if (running) return;
      running = true;
      doc.addEventListener('visibilitychange', onVisibility);
      doc.addEventListener('freeze', onFreeze);
      doc.addEventListener('resume', onVisibility);
      win.addEventListener('online', onOnline);
      open();
    },
    stop() {
      if (!running) return;
      detach();
      options.onStatus('closed');
    },
  };
}
