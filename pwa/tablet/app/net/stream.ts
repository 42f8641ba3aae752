import type { WireEvents } from '../../../../runtime/http/wire.ts';

/** One message of the live channel, by event name. */
export type LiveMessage = {
  [K in keyof WireEvents]: { readonly type: K; readonly data: WireEvents[K] };
}[keyof WireEvents];

/** The channel's state as the status bar shows it. */
export type StreamStatus = 'connecting' | 'open' | 'closed';

/** What the stream needs from its surroundings (tests pass their own). */
export interface LiveStreamOptions {
  readonly url: string;
  readonly onMessage: (message: LiveMessage) => void;
  readonly onStatus: (status: StreamStatus) => void;
  /** Called after every (re)connection, so the app fetches what it missed while away. */
  readonly onResume: () => void;
  readonly createSource?: (url: string) => EventSource;
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
 * THE live channel of the tablet (one per app): connects, accepts only known events, pauses
 * while the page is hidden or frozen, reconnects with backoff (and at once when the network
 * returns), and asks the app to fetch what it missed after every reconnection. Components never
 * touch it; the app state feeds them.
 */
export function createLiveStream(options: LiveStreamOptions): { start(): void; stop(): void } {
  const doc = options.document ?? document;
  const win = options.window ?? window;
  const make = options.createSource ?? ((url: string) => new EventSource(url));
  let source: EventSource | null = null;
  let running = false;
  let backoff = 500;
  let retry: ReturnType<typeof setTimeout> | undefined;

  const close = () => {
    clearTimeout(retry);
    source?.close();
    source = null;
  };

  const open = () => {
    close();
    if (!running || doc.visibilityState === 'hidden') return;
    options.onStatus('connecting');
    const s = make(options.url);
    source = s;
    for (const name of KNOWN)
      s.addEventListener(name, (e) => {
        const m = processMessage(name, (e as MessageEvent<string>).data);
        if (m) options.onMessage(m);
      });
    s.onopen = () => {
      backoff = 500;
      options.onStatus('open');
      options.onResume();
    };
    s.onerror = () => {
      if (source !== s) return;
      // EventSource retries by itself while CONNECTING; once CLOSED it is ours to retry.
      options.onStatus(s.readyState === EventSource.CLOSED ? 'closed' : 'connecting');
      if (s.readyState === EventSource.CLOSED) {
        retry = setTimeout(open, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    };
  };

  const onVisibility = () => (doc.visibilityState === 'hidden' ? close() : open());
  const onOnline = () => {
    backoff = 500;
    open();
  };
  const onFreeze = () => close();

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
      running = false;
      doc.removeEventListener('visibilitychange', onVisibility);
      doc.removeEventListener('freeze', onFreeze);
      doc.removeEventListener('resume', onVisibility);
      win.removeEventListener('online', onOnline);
      close();
      options.onStatus('closed');
    },
  };
}
