import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bodyTooLarge, bodyTooLargeIn, jsonBody, limitBody } from './body.ts';

const Note = z.object({ text: z.string().min(1).max(200), urgent: z.boolean().default(false) });

/** The body validator in process (Hono's app.request): what reaches a handler, and what never does. */
function app() {
  const stored: unknown[] = [];
  const a = new Hono();
  a.post('/notes', jsonBody(Note, { maxBytes: 1024 }), (c) => {
    const note = c.req.valid('json');
    stored.push(note);
    return c.json({ ok: true, urgent: note.urgent }, 201);
  });
  return { a, stored };
}

const post = (body: BodyInit, type = 'application/json', headers: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: { 'content-type': type, ...headers },
});

describe('JSON bodies', () => {
  it('passes a valid body to the handler, typed and with defaults', async () => {
    const { a, stored } = app();
    const res = await a.request('/notes', post(JSON.stringify({ text: 'одышка' })));
    expect(res.status).toBe(201);
    expect(stored).toEqual([{ text: 'одышка', urgent: false }]);
  });

  it('answers 400 malformed, 400 invalid (naming the field), 415 not JSON, 413 oversized: JSON each time, nothing stored', async () => {
    const { a, stored } = app();
    const malformed = await a.request('/notes', post('{"text": "a"'));
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: 'malformed_json' });
    const invalid = await a.request('/notes', post(JSON.stringify({ text: '' })));
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: 'invalid_body', issues: [{ path: 'text' }] });
    const form = await a.request('/notes', post('text=a', 'application/x-www-form-urlencoded'));
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: 'unsupported_media_type' });
    const big = JSON.stringify({ text: 'x'.repeat(2000) });
    const declared = await a.request('/notes', post(big));
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ error: 'body_too_large', limit: 1024 });
    // A chunked body (no Content-Length) is counted as it arrives.
    const stream = new ReadableStream<Uint8Array>({
      start(ctl) {
        for (let i = 0; i < 10; i++) ctl.enqueue(new TextEncoder().encode('x'.repeat(200)));
        ctl.close();
      },
    });
    const chunked = await a.request('/notes', {
      ...post(stream),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(stored).toEqual([]);
  });

  it('never answers anything but 201, 400 or 413 to arbitrary bytes, and stores only valid notes', async () => {
    const { a, stored } = app();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 1500 }),
          fc.json({ maxDepth: 3 }),
          fc
            .record({ text: fc.string({ maxLength: 300 }), urgent: fc.anything() })
            .map((v) => JSON.stringify(v)),
        ),
        async (body) => {
          const res = await a.request('/notes', post(body));
          expect([201, 400, 413]).toContain(res.status);
          const json = (await res.json()) as { error?: string };
          if (res.status !== 201) expect(typeof json.error).toBe('string');
        },
      ),
      { numRuns: 150 },
    );
    for (const s of stored) expect(Note.safeParse(s).success).toBe(true);
  });
});

/** A chunked body whose later chunks are sent only once `go` resolves (the sender waits on the kit). */
function heldBody(
  first: Uint8Array,
  rest: readonly Uint8Array[],
  go: Promise<void>,
): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    async start(ctl) {
      ctl.enqueue(first);
      await go;
      for (const r of rest) ctl.enqueue(r);
      ctl.close();
    },
  });
}

describe('body limits on raw (upload) bodies', () => {
  /** A route that streams its body, as the upload route does, counting bytes and chunks. */
  function streamingApp(limit: number, onFirstChunk: () => void) {
    const a = new Hono();
    a.use('*', limitBody(limit));
    a.post('/upload', async (c) => {
      let bytes = 0;
      let chunks = 0;
      for await (const piece of c.req.raw.body as unknown as AsyncIterable<Uint8Array>) {
        if (chunks++ === 0) onFirstChunk();
        bytes += piece.byteLength;
      }
      return c.json({ bytes, chunks }, 201);
    });
    a.onError((err, c) => {
      const tooLarge = bodyTooLargeIn(err);
      return tooLarge ? bodyTooLarge(c, tooLarge.limit) : c.json({ error: 'internal' }, 500);
    });
    return a;
  }
  const upload = (body: ReadableStream<Uint8Array>) =>
    ({ method: 'POST', body, headers: { 'content-type': 'image/jpeg' }, duplex: 'half' }) as RequestInit;

  it('hands a chunked body to the route as it arrives, never held whole (the route reads the first chunk before the rest is sent)', async () => {
    let release!: () => void;
    const go = new Promise<void>((r) => (release = r));
    // The rest of the body is sent only after the route has read the first chunk: a limit that
    // buffered the body to measure it would wait for the end forever (and the test time out).
    const a = streamingApp(1024 * 1024, release);
    const res = await a.request(
      '/upload',
      upload(heldBody(new Uint8Array(1000), [new Uint8Array(2000)], go)),
    );
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ bytes: 3000, chunks: 2 });
  });

  it('cuts a chunked body off at the limit with the JSON 413, after reading no more than the limit and a chunk', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(ctl) {
        pulled += 64 * 1024;
        ctl.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await streamingApp(256 * 1024, () => undefined).request('/upload', upload(endless));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'body_too_large', limit: 256 * 1024 });
    // The route stopped near the limit: the sender was not read to the end (it has none).
    expect(pulled).toBeLessThanOrEqual(256 * 1024 + 4 * 64 * 1024);
  });

  it('refuses a declared length over the limit before reading, and passes one within it', async () => {
    const a = streamingApp(1000, () => undefined);
    const over = await a.request('/upload', {
      method: 'POST',
      body: new Uint8Array(1001),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(over.status).toBe(413);
    expect(await over.json()).toMatchObject({ error: 'body_too_large', limit: 1000 });
    const within = await a.request('/upload', {
      method: 'POST',
      body: new Uint8Array(1000),
      headers: { 'content-type': 'image/jpeg' },
    });
    expect(within.status).toBe(201);
    expect(await within.json()).toMatchObject({ bytes: 1000 });
  });
});
