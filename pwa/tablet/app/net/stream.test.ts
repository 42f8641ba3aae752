import { describe, expect, it } from 'vitest';
import { createLiveStream, type LiveMessage, type StreamStatus } from './stream.ts';

/** A page stand-in: visible, and an event target for visibility/online listeners. */
function page() {
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' }) as unknown as Document;
  const win = new EventTarget() as unknown as Window;
  return { doc, win };
}

function sse(text: string, keepOpen = false): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      if (!keepOpen) controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

/**
 * The live stream against a scripted fetch (the real kit's channel is exercised by the browser
 * tests in test/tablet): the token goes in the Authorization header, the last event id comes back
 * as Last-Event-ID on reconnect, and a 401 stops it as `unauthorized`.
 */
describe('live stream over fetch', () => {
  it('sends the token, resumes from the last event id, and stops on 401', async () => {
    const { doc, win } = page();
    const requests: Headers[] = [];
    const answers = [
      () =>
        sse(
          'id: 7\nevent: hello\ndata: {"instruments":[]}\n\nid: 8\nevent: visit\ndata: {"visitId":"v-1"}\n\n',
        ),
      () => sse('id: 9\nevent: hello\ndata: {"instruments":[],"resumed":true}\n\n'),
      () => new Response('{"error":"token_revoked"}', { status: 401 }),
    ];
    const statuses: StreamStatus[] = [];
    const messages: LiveMessage['type'][] = [];
    let resumes = 0;
    let done!: () => void;
    const stopped = new Promise<void>((r) => (done = r));
    const stream = createLiveStream({
      url: '/api/live',
      token: () => 'fkt_secret',
      document: doc,
      window: win,
      fetch: (_url, init) => {
        requests.push(new Headers(init?.headers));
        return Promise.resolve(answers.shift()!());
      },
      onMessage: (m) => messages.push(m.type),
      onStatus: (s) => {
        statuses.push(s);
        if (s === 'unauthorized') done();
      },
      onResume: () => resumes++,
    });
    stream.start();
    await stopped;
    expect(requests.map((h) => h.get('authorization'))).toEqual(Array(3).fill('Bearer fkt_secret'));
    expect(requests.map((h) => h.get('last-event-id'))).toEqual([null, '8', '9']);
    expect(messages).toEqual(['hello', 'visit', 'hello']);
    // Only the first connection had to fetch what it missed; the second was replayed by the kit.
    expect(resumes).toBe(1);
    expect(statuses.at(-1)).toBe('unauthorized');
    expect(statuses.filter((s) => s === 'open')).toHaveLength(2);
  });

  it('fetches again on a reset event and ignores unknown or malformed events', async () => {
    const { doc, win } = page();
    const messages: LiveMessage['type'][] = [];
    let resumes = 0;
    let sawReset!: () => void;
    const reset = new Promise<void>((r) => (sawReset = r));
    const stream = createLiveStream({
      url: '/api/live',
      document: doc,
      window: win,
      fetch: () =>
        Promise.resolve(
          sse(
            'id: 1\nevent: hello\ndata: {"resumed":true}\n\nevent: bogus\ndata: {}\n\nevent: observations\ndata: {}\n\nid: 5\nevent: reset\ndata: {"reason":"too_old"}\n\n',
            true,
          ),
        ),
      onMessage: (m) => messages.push(m.type),
      onStatus: () => undefined,
      onResume: () => {
        resumes++;
        sawReset();
      },
    });
    stream.start();
    await reset;
    stream.stop();
    expect(messages).toEqual(['hello']);
    expect(resumes).toBe(1);
  });
});
