import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Every way the kit's HTTP API refuses, as a code the tablet can branch on and translate (the
 * tablet's catalogues hold the Russian and English wording; `message` is for logs and developers).
 */
export type ApiErrorCode =
  | 'malformed_json'
  | 'invalid_body'
  | 'bad_query'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'unauthorized'
  | 'token_revoked'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'rate_limited'
  | 'pairing_failed'
  | 'link_off'
  /** An instrument the kit has no driver for (`POST /api/instruments/remember`). */
  | 'no_driver'
  /** The kit is stopping, or the part asked for is not running. */
  | 'unavailable'
  /** This kit cannot do that at all (pairing on a radio that cannot bond). */
  | 'not_available'
  /** An answer to a pairing question when none is asked. */
  | 'no_question'
  /** An answer that does not fit the pairing question (a yes/no to a passkey prompt). */
  | 'invalid_answer'
  | 'internal';

/** One field a schema refused: a dotted path into the body and zod's reason. */
export interface ApiIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * The one JSON shape of every refusal (400 malformed or invalid, 413 oversized, 401/403 auth, 404,
 * 429, 500). A refused request has stored nothing: validation runs before any handler writes.
 */
export interface ApiErrorBody {
  readonly error: ApiErrorCode;
  readonly message: string;
  /** Fields refused by a schema (`invalid_body`, `bad_query`). */
  readonly issues?: readonly ApiIssue[];
  /** The byte limit that was exceeded (`body_too_large`). */
  readonly limit?: number;
  /** Seconds until another attempt may succeed (`rate_limited`). */
  readonly retryAfter?: number;
}

/** The HTTP status each code is answered with. */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, ContentfulStatusCode>> = {
  malformed_json: 400,
  invalid_body: 400,
  bad_query: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
  unauthorized: 401,
  token_revoked: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  pairing_failed: 401,
  link_off: 503,
  no_driver: 422,
  unavailable: 503,
  not_available: 501,
  no_question: 409,
  invalid_answer: 422,
  internal: 500,
};

/** Answers a refusal in the shared format, with the status that belongs to its code. */
export function apiError(
  c: Context,
  code: ApiErrorCode,
  message: string,
  extra: Omit<ApiErrorBody, 'error' | 'message'> = {},
): Response {
  const body: ApiErrorBody = { error: code, message, ...extra };
  if (extra.retryAfter !== undefined) c.header('Retry-After', String(extra.retryAfter));
  // 401 says how to authenticate (RFC 9110): a bearer token, never a cookie.
  if (API_ERROR_STATUS[code] === 401) c.header('WWW-Authenticate', 'Bearer realm="fieldkit"');
  return c.json(body, API_ERROR_STATUS[code]);
}

/** zod issues as the wire's `issues` list (at most 20, so a hostile body cannot inflate the answer). */
export function toApiIssues(
  issues: readonly { readonly path: readonly PropertyKey[]; readonly message: string }[],
): ApiIssue[] {
  return issues.slice(0, 20).map((i) => ({
    path: i.path.map((p) => String(p)).join('.') || '(root)',
    message: i.message,
  }));
}
