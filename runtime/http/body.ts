import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { z } from 'zod';
import { apiError, toApiIssues } from './errors.ts';

/** Default ceiling of a JSON body (forms, notes, readings); uploads declare their own with {@link limitBody}. */
export const DEFAULT_JSON_LIMIT = 64 * 1024;

/**
 * Refuses a body over `maxBytes` with the shared 413 (the declared Content-Length is checked
 * before a byte is read; a chunked body is counted as it arrives and cut off at the limit).
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) =>
      apiError(c, 'body_too_large', `The body is larger than ${maxBytes} bytes.`, { limit: maxBytes }),
  });
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
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
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
