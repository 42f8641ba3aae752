import fc from 'fast-check';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonBody } from './body.ts';

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
