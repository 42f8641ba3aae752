import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { isStoreError } from '../../../store/index.ts';
import { bodyTooLargeIn } from '../body.ts';
import type { ApiEnv } from './env.ts';

/** Every error body the API answers with: a stable code to branch on, and a one-line message (the same shape as runtime/http/errors.ts on the LAN-security work). */
export interface ApiErrorBody {
  readonly error: string;
  readonly message: string;
  readonly issues?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
  readonly limit?: number;
}

/** A refusal raised inside a route, answered as JSON with its status (never a 500). */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly body: ApiErrorBody,
  ) {
    super(body.message);
    this.name = 'ApiError';
  }
}

/** Parses a JSON body against a schema: 415 unless JSON, 400 for bad JSON or a schema miss. */
export async function readJson<S extends z.ZodType>(c: Context<ApiEnv>, schema: S): Promise<z.output<S>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new ApiError(415, { error: 'unsupported_media_type', message: 'send application/json' });
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch (err) {
    const tooLarge = bodyTooLargeIn(err);
    if (tooLarge)
      throw new ApiError(413, { error: 'body_too_large', message: tooLarge.message, limit: tooLarge.limit });
    throw new ApiError(400, { error: 'malformed_json', message: 'the body is not JSON' });
  }
  return parseWith(schema, raw, 'invalid_body');
}

/** Checks query parameters or any value against a schema; a miss is a typed 400. */
export function parseWith<S extends z.ZodType>(schema: S, raw: unknown, code = 'bad_query'): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new ApiError(400, {
    error: code,
    message: 'the request does not match its schema',
    issues: parsed.error.issues
      .slice(0, 10)
      .map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
  });
}

/** Maps what a route threw to a JSON answer: refusals keep their status, store errors get theirs. */
export function errorResponse(c: Context, err: unknown): Response {
  if (err instanceof ApiError) return c.json(err.body, err.status);
  if (isStoreError(err)) {
    switch (err.code) {
      case 'not_found':
        return c.json({ error: 'not_found', message: err.message }, 404);
      case 'invalid_record':
        return c.json({ error: 'conflict', message: err.message }, 409);
      case 'locked':
      case 'write_failed':
        return c.json({ error: 'store_unavailable', message: err.message }, 503);
      default:
        return c.json({ error: 'damaged', message: err.message }, 500);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return c.json({ error: 'internal', message: message }, 500);
}
