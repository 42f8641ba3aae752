import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { apiError, toApiIssues } from './errors.ts';

/** Default ceiling of a JSON body (forms, notes, readings); uploads declare their own with {@link limitBody}. */
export const DEFAULT_JSON_LIMIT = 64 * 1024;

/**
 * A body stream cut off at its limit: what reading a body limited by {@link limitBody} fails
 * with once more than `limit` bytes arrived. Answered 413 `body_too_large` (by {@link jsonBody},
 * the API's `readJson` and the app's error handler), never as a 400 or a 500.
 */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The body is larger than ${limit} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

/** The shared 413 answer for a body over `limit` bytes. */
export function bodyTooLarge(c: Context, limit: number): Response {
  return apiError(c, 'body_too_large', `The body is larger than ${limit} bytes.`, { limit });
}

/**
 * Refuses a body over `maxBytes` with the shared 413, without ever holding the body: a declared
 * Content-Length over the limit is refused before a byte is read (Node's parser holds a body to
 * its declared length); a body without one (chunked) is passed on as a stream that counts its
 * bytes and fails with {@link BodyTooLargeError} at the limit, so a route that streams it (an
 * upload into the store) holds one chunk at a time, and a JSON body at most `maxBytes`. Hono's
 * bodyLimit instead read a chunked body whole into memory before the route ran: up to the
 * 32 MiB ceiling per upload.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const body = c.req.raw.body;
    if (!body) return next();
    const declared = c.req.raw.headers.get('content-length');
    if (declared !== null && !c.req.raw.headers.has('transfer-encoding')) {
      const length = Number(declared);
      if (!Number.isSafeInteger(length) || length < 0 || length > maxBytes) return bodyTooLarge(c, maxBytes);
      return next();
    }
    let seen = 0;
    const counted = body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          seen += chunk.byteLength;
          if (seen > maxBytes) out.error(new BodyTooLargeError(maxBytes));
          else out.enqueue(chunk);
        },
      }),
      // Refused mid-body, the rest is left unread (not cancelled, which would destroy the
      // request and its socket with the answer unsent): linger.ts drains it after the answer.
      { preventCancel: true },
    );
    // `duplex` is required by fetch for a streamed request body; lib.dom's RequestInit lacks it.
    c.req.raw = new Request(c.req.raw, { body: counted, duplex: 'half' } as RequestInit);
    return next();
  };
}

/**
 * The {@link BodyTooLargeError} behind a failure to read a body, if that is why it failed (a
 * stream's error may reach the reader as the cause of the reader's own error).
 */
export function bodyTooLargeIn(err: unknown): BodyTooLargeError | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++)
    if (e instanceof BodyTooLargeError) return e;
  return undefined;
}

/** Reads a limited body as text; over the limit, the shared 413 instead. */
async function textWithin(c: Context): Promise<string | Response> {
  try {
    return await c.req.text();
  } catch (err) {
    const tooLarge = bodyTooLargeIn(err);
    if (tooLarge) return bodyTooLarge(c, tooLarge.limit);
    throw err;
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Validates a JSON body with a zod schema before the handler runs: over the limit 413, not JSON
 * 415, unparsable 400 `malformed_json`, refused by the schema 400 `invalid_body` naming the
 * fields. The handler reads the typed result with `c.req.valid('json')`; on any refusal it never
 * runs, so nothing is stored.
 */
export function jsonBody<S extends z.ZodType>(
  schema: S,
  options: { readonly maxBytes?: number } = {},
): MiddlewareHandler<
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  {},
  string,
  { in: { json: z.input<S> }; out: { json: z.output<S> } }
> {
  const maxBytes = options.maxBytes ?? DEFAULT_JSON_LIMIT;
  const limit = limitBody(maxBytes);
  return async (c, next) => {
    let refusal: Response | undefined;
    const limited = await limit(c, async () => {
      if (!JSON_TYPE.test(c.req.header('content-type') ?? '')) {
        refusal = apiError(c, 'unsupported_media_type', 'The body must be application/json.');
        return;
      }
      let text: string | Response;
      try {
        text = await textWithin(c);
      } catch {
        refusal = apiError(c, 'malformed_json', 'The body is not valid JSON.');
        return;
      }
      if (text instanceof Response) {
        refusal = text;
        return;
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        refusal = apiError(c, 'malformed_json', 'The body is not valid JSON.');
        return;
      }
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        refusal = apiError(c, 'invalid_body', 'The body does not match the schema.', {
          issues: toApiIssues(parsed.error.issues),
        });
        return;
      }
      c.req.addValidatedData('json', parsed.data as object);
      await next();
    });
    return refusal ?? (limited instanceof Response ? limited : undefined);
  };
}
